import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { databricksRequest, palantirRequest } from '../../../test/fixtures';
import { json, mockApi, problem, READER_ME, type RecordedCall } from '../../../test/mock-api';
import { renderAt } from '../../../test/render';

const LIST = 'GET /api/databricks/access-requests';

function params(call: RecordedCall | undefined): Record<string, string> {
  return Object.fromEntries(call?.url.searchParams ?? []);
}

describe('AllRequestsPage', () => {
  it('offers New request to an admin, and not to a reader, who cannot create one', async () => {
    // Given the list, as the admin
    mockApi({ [LIST]: json([databricksRequest({ id: 1 })], 200, { 'X-Total-Count': '1' }) });
    renderAt('/databricks/requests');
    expect(await screen.findByRole('link', { name: 'New request' })).toBeInTheDocument();
  });

  it('shows a reader no New request button', async () => {
    // Given /api/me says the caller is a reader
    mockApi({ 'GET /api/me': json(READER_ME), [LIST]: json([databricksRequest({ id: 1 })], 200, { 'X-Total-Count': '1' }) });

    // When the list has loaded, then there is no way to a form the reader may not submit
    renderAt('/databricks/requests');
    await screen.findByText('Signed in as');
    await screen.findByRole('table');
    expect(screen.queryByRole('link', { name: 'New request' })).not.toBeInTheDocument();
  });

  it('shows requests in a table with the key columns first, revocation and notification info', async () => {
    // Given two requests, one revoked after two reminders
    mockApi({
      [LIST]: json(
        [
          databricksRequest({ id: 1, requestNumber: 'DBR-1', expiresOn: null }),
          databricksRequest({
            id: 2,
            requestNumber: 'DBR-2',
            status: 'Revoked',
            revokedDt: '2025-01-02T03:04:05Z',
            revokedBy: 'System - Scheduled Expiry Job',
            notificationCount: 2,
            lastNotificationType: '7-Day Reminder',
            lastNotificationDt: '2024-12-26T08:00:00Z',
          }),
        ],
        200,
        { 'X-Total-Count': '2' },
      ),
    });

    // When the page opens
    renderAt('/databricks/requests');

    // Then request, status and expiry lead (a phone shows them first), and every fact is there
    const table = await screen.findByRole('table', { name: 'All Databricks requests' });
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toEqual([
      'Request',
      'Status',
      'Expires',
      'Requested by',
      'Type',
      'Created',
      'Notifications',
      'Revoked',
    ]);
    expect(within(table).getByRole('columnheader', { name: 'Created' })).toHaveAttribute('aria-sort', 'descending');
    const [, first, second] = within(table).getAllByRole('row') as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(first).getByText('Never')).toBeInTheDocument();
    expect(within(second).getByText('by System - Scheduled Expiry Job')).toBeInTheDocument();
    expect(within(second).getByText('Last: 7-Day Reminder')).toBeInTheDocument();
    const revokedTime = within(second)
      .getAllByText((_, el) => el?.tagName === 'TIME')
      .find((el) => el.getAttribute('datetime') === '2025-01-02T03:04:05Z');
    expect(revokedTime).toHaveAttribute('title', '2025-01-02T03:04:05.000Z (UTC)');
    // and one page needs no pager
    expect(screen.queryByRole('navigation', { name: /Pages of requests/ })).not.toBeInTheDocument();
  });

  it('shows an Active request past its expiry as expired and awaiting revoke, not as Active', async () => {
    // Given one the API marks expired, one whose expiry passed on an API without the field, and one to come
    mockApi({
      [LIST]: json([
        databricksRequest({ id: 1, requestNumber: 'MARKED', expired: true, expiresOn: '2999-01-01T00:00:00Z' }),
        databricksRequest({ id: 2, requestNumber: 'PAST', expiresOn: '2001-01-01T00:00:00Z' }),
        databricksRequest({ id: 3, requestNumber: 'FUTURE', expiresOn: '2999-01-01T00:00:00Z' }),
        databricksRequest({ id: 4, requestNumber: 'TRUSTED', expired: false, expiresOn: '2001-01-01T00:00:00Z' }),
      ]),
    });

    // When the page opens
    renderAt('/databricks/requests');
    const table = await screen.findByRole('table', { name: 'All Databricks requests' });

    // Then the first two say so, the others are Active (the API's word wins over the browser's clock)
    const status = (label: string) =>
      within(within(table).getByText(label).closest('tr') as HTMLElement).getAllByRole('cell')[1]?.textContent;
    expect(status('MARKED')).toBe('Expired — awaiting revoke');
    expect(status('PAST')).toBe('Expired — awaiting revoke');
    expect(status('FUTURE')).toBe('Active');
    expect(status('TRUSTED')).toBe('Active');
  });

  it('shows Palantir project columns and cuts a long justification to a "Show more"', async () => {
    // Given a request with a justification of 600 characters
    const long = `Needed for the audit. ${'x'.repeat(600)}`;
    mockApi({ 'GET /api/palantir/access-requests': json([palantirRequest({ justification: long })]) });
    const user = userEvent.setup();

    // When the page opens
    renderAt('/palantir/requests');
    const table = await screen.findByRole('table', { name: 'All Palantir requests' });

    // Then the project leads, and the justification is clamped behind a disclosure button
    const headers = within(table).getAllByRole('columnheader').map((th) => th.textContent);
    expect(headers.slice(0, 6)).toEqual(['Project', 'Status', 'Expires', 'Requested by', 'Type', 'Justification']);
    expect(within(table).getByText('PRJ-1')).toBeInTheDocument();
    expect(within(table).getByText(long)).toHaveClass('long-text-clamped');
    const more = within(table).getByRole('button', { name: 'Show more of the justification' });
    expect(more).toHaveAttribute('aria-expanded', 'false');

    // When it is pressed, the whole text shows
    await user.click(more);
    expect(within(table).getByText(long)).toHaveClass('long-text-open');
    expect(within(table).getByRole('button', { name: 'Show less of the justification' })).toHaveAttribute(
      'aria-expanded',
      'true',
    );
  });

  it('pages by the server cursor: Next follows X-Next-Cursor, Previous goes back to the page before', async () => {
    // Given 250 requests, 100 a page, each page naming its successor's cursor
    const pages: Record<string, { first: number; next: string | null }> = {
      '': { first: 1, next: 'c100' },
      c100: { first: 101, next: 'c200' },
      c200: { first: 201, next: null },
    };
    const api = mockApi({
      [LIST]: (call) => {
        const page = pages[call.url.searchParams.get('cursor') ?? ''] ?? { first: 0, next: null };
        return json([databricksRequest({ id: page.first, requestNumber: `DBR-${String(page.first)}` })], 200, {
          'X-Total-Count': '250',
          ...(page.next ? { 'X-Next-Cursor': page.next } : {}),
        });
      },
    });
    const user = userEvent.setup();
    const { router } = renderAt('/databricks/requests');

    // Then a pager shows above and below the table
    expect(await screen.findByText('DBR-1')).toBeInTheDocument();
    const top = screen.getByRole('navigation', { name: 'Pages of requests, top' });
    expect(screen.getByRole('navigation', { name: 'Pages of requests, bottom' })).toBeInTheDocument();
    expect(top).toHaveTextContent('Page 1 of 3: 1–1 of 250');
    expect(within(top).getByRole('button', { name: 'Previous' })).toBeDisabled();

    // When Next is pressed twice, and then Previous
    await user.click(within(top).getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('DBR-101')).toBeInTheDocument();
    await user.click(within(screen.getByRole('navigation', { name: 'Pages of requests, bottom' })).getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('DBR-201')).toBeInTheDocument();
    const last = screen.getByRole('navigation', { name: 'Pages of requests, top' });
    expect(last).toHaveTextContent('Page 3 of 3: 201–201 of 250');
    expect(within(last).getByRole('button', { name: 'Next' })).toBeDisabled();
    await user.click(within(last).getByRole('button', { name: 'Previous' }));

    // Then each page was asked for by the cursor before it, and the URL holds where we are
    expect(await screen.findByText('DBR-101')).toBeInTheDocument();
    expect(api.callsTo(LIST).map((c) => c.url.searchParams.get('cursor'))).toEqual([null, 'c100', 'c200', 'c100']);
    expect(api.callsTo(LIST).every((c) => c.url.searchParams.get('limit') === '100')).toBe(true);
    expect(router.state.location.search).toBe('?cursor=c100&prev=');
  });

  it('searches and filters on the server, starting again from the first page', async () => {
    // Given the second page of the list
    const api = mockApi({ [LIST]: json([databricksRequest()], 200, { 'X-Total-Count': '1' }) });
    const user = userEvent.setup();
    const { router } = renderAt('/databricks/requests?cursor=c100&prev=');
    await screen.findByRole('table');

    // When a search is submitted, then a status, an expiry window, an order and a page size are chosen
    await user.type(screen.getByRole('searchbox', { name: 'Search' }), 'ann@example.com{Enter}');
    await screen.findByRole('table');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'Expired — awaiting revoke');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Expiring within' }), '30 days');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Sort by' }), 'Expiry, soonest first');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Per page' }), '25');
    await screen.findByRole('table');

    // Then the server was asked with each, without the old cursor, and the URL keeps them
    expect(params(api.callsTo(LIST).at(-1))).toEqual({
      limit: '25',
      q: 'ann@example.com',
      status: 'Expired',
      expiresWithinDays: '30',
      sort: 'expires',
    });
    expect(params(api.callsTo(LIST).at(1))).toEqual({ limit: '100', q: 'ann@example.com' });
    expect(router.state.location.search).toBe('?q=ann%40example.com&status=Expired&within=30&sort=expires&size=25');
    expect(screen.getByRole('columnheader', { name: 'Expires' })).toHaveAttribute('aria-sort', 'ascending');
  });

  it('reads its state from the URL, so a reload shows the same page', async () => {
    // Given a URL with a search, a filter, an order and a cursor
    const api = mockApi({ [LIST]: json([databricksRequest()], 200, { 'X-Total-Count': '1' }) });

    // When the page opens at it
    renderAt('/databricks/requests?q=DBR&status=Revoked&sort=-number&cursor=abc&prev=');
    await screen.findByRole('table');

    // Then it asks for exactly that, and the controls show it
    expect(params(api.callsTo(LIST)[0])).toEqual({ limit: '100', q: 'DBR', status: 'Revoked', sort: '-number', cursor: 'abc' });
    expect(screen.getByRole('searchbox', { name: 'Search' })).toHaveValue('DBR');
    expect(screen.getByRole('combobox', { name: 'Status' })).toHaveValue('Revoked');
    expect(screen.getByRole('columnheader', { name: 'Request' })).toHaveAttribute('aria-sort', 'descending');
  });

  it('has an empty state, and says when only the filters leave nothing', async () => {
    mockApi({ [LIST]: json([], 200, { 'X-Total-Count': '0' }) });
    const { unmount } = renderAt('/databricks/requests');
    expect(await screen.findByText(/No requests yet\./)).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    unmount();

    renderAt('/databricks/requests?q=nobody');
    expect(await screen.findByText(/No requests match these filters\./)).toBeInTheDocument();
  });

  it('explains a failure in words and retries', async () => {
    let fail = true;
    mockApi({
      [LIST]: () =>
        fail ? problem(503, 'Service Unavailable', { detail: 'The database is unreachable.' }) : json([databricksRequest()]),
    });
    const user = userEvent.setup();
    renderAt('/databricks/requests');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the requests. Service Unavailable: The database is unreachable.',
    );
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('table')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
