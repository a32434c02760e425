import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { databricksRequest, palantirRequest } from '../../../test/fixtures';
import { json, mockApi, problem } from '../../../test/mock-api';
import { renderAt } from '../../../test/render';

describe('AllRequestsPage', () => {
  it('shows requests in a table with header cells, revocation and notification info', async () => {
    mockApi({
      'GET /api/databricks/access-requests': json(
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
    renderAt('/databricks/requests');
    const table = await screen.findByRole('table', { name: 'All Databricks requests' });
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toEqual([
      'Request',
      'Requested by',
      'Type',
      'Status',
      'Expires',
      'Created',
      'Notifications',
      'Revoked',
    ]);
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    const [, first, second] = rows as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(first).getByText('Never')).toBeInTheDocument();
    expect(within(second).getByText('by System - Scheduled Expiry Job')).toBeInTheDocument();
    expect(within(second).getByText('Last: 7-Day Reminder')).toBeInTheDocument();
    const revokedTime = within(second)
      .getAllByText((_, el) => el?.tagName === 'TIME')
      .find((el) => el.getAttribute('datetime') === '2025-01-02T03:04:05Z');
    expect(revokedTime).toHaveAttribute('title', '2025-01-02T03:04:05.000Z (UTC)');
    expect(screen.getByText('Showing 1–2 of 2.')).toBeInTheDocument();
  });

  it('shows Palantir project columns', async () => {
    mockApi({ 'GET /api/palantir/access-requests': json([palantirRequest()], 200, { 'X-Total-Count': '1' }) });
    renderAt('/palantir/requests');
    const table = await screen.findByRole('table', { name: 'All Palantir requests' });
    const headers = within(table).getAllByRole('columnheader').map((th) => th.textContent);
    expect(headers.slice(0, 4)).toEqual(['Project', 'Requested by', 'Type', 'Justification']);
    expect(within(table).getByText('PRJ-1')).toBeInTheDocument();
    expect(within(table).getByText('Quarterly report')).toBeInTheDocument();
  });

  it('pages with limit/offset using X-Total-Count', async () => {
    const api = mockApi({
      'GET /api/databricks/access-requests': (call) => {
        const offset = Number(call.url.searchParams.get('offset'));
        return json([databricksRequest({ id: offset + 1, requestNumber: `DBR-${offset + 1}` })], 200, { 'X-Total-Count': '250' });
      },
    });
    const user = userEvent.setup();
    renderAt('/databricks/requests');
    expect(await screen.findByText('Page 1 of 3')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('DBR-101')).toBeInTheDocument();
    expect(screen.getByText('Page 2 of 3')).toBeInTheDocument();
    const queries = api.callsTo('GET /api/databricks/access-requests').map((c) => c.url.search);
    expect(queries).toEqual(['?limit=100&offset=0', '?limit=100&offset=100']);
  });

  it('has an empty state', async () => {
    mockApi({ 'GET /api/databricks/access-requests': json([], 200, { 'X-Total-Count': '0' }) });
    renderAt('/databricks/requests');
    expect(await screen.findByText(/No requests yet\./)).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('explains a failure in words and retries', async () => {
    let fail = true;
    mockApi({
      'GET /api/databricks/access-requests': () =>
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
