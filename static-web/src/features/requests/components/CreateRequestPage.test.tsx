import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { databricksRequest, palantirRequest } from '../../../test/fixtures';
import { json, mockApi, problem, READER_ME, type Handler, type RecordedCall } from '../../../test/mock-api';
import { renderAt } from '../../../test/render';

const TYPES = { databricks: ['Read', 'ReadWrite', 'Admin'], palantir: ['Viewer', 'Editor', 'Owner'] };

const requestOptions = (platform: 'databricks' | 'palantir', extra: Record<string, unknown> = {}) => ({
  requestTypes: TYPES[platform],
  minExpiresInDays: 1,
  maxExpiresInDays: 36500,
  maxLengths: { requestNumber: 50, requestType: 50, requestedBy: 200, projectId: 100, justification: 1000 },
  allowedEmailDomains: [],
  ...extra,
});

/** The page with its request types loaded (the type is a list from then on). */
async function setup(
  platform: 'databricks' | 'palantir',
  options: { testSimulation?: boolean; reply?: Handler; routes?: Record<string, Handler> } = {},
) {
  const posts: RecordedCall[] = [];
  const created = platform === 'databricks' ? databricksRequest({ id: 77, requestNumber: 'DBR-0077' }) : palantirRequest();
  const reply = options.reply ?? json(created, 201);
  mockApi({
    'GET /api/health': json({ status: 'ok', database: 'ok', testSimulation: options.testSimulation ?? false }),
    [`POST /api/${platform}/access-requests`]: (call) => {
      posts.push(call);
      return typeof reply === 'function' ? reply(call) : reply;
    },
    [`GET /api/${platform}/access-requests`]: json([created], 200, { 'X-Total-Count': '1' }),
    [`GET /api/${platform}/request-options`]: json(requestOptions(platform)),
    ...options.routes,
  });
  const user = userEvent.setup();
  const rendered = renderAt(`/${platform}/requests/new`);
  await screen.findByRole('option', { name: TYPES[platform][0] });
  const chooseType = (type: string) => user.selectOptions(screen.getByRole('combobox', { name: 'Request type' }), type);
  return { posts, user, chooseType, ...rendered };
}

const submit = () => screen.getByRole('button', { name: 'Create request' });

describe('CreateRequestPage', () => {
  it('shows labelled errors for missing required fields and sends nothing', async () => {
    const { posts, user } = await setup('databricks');
    await user.click(submit());
    expect(await screen.findByRole('alert')).toHaveTextContent('Fix the 3 highlighted fields.');
    const type = screen.getByRole('combobox', { name: 'Request type' });
    expect(type).toHaveAttribute('aria-invalid', 'true');
    expect(type).toHaveAccessibleDescription(expect.stringContaining('Enter the request type.'));
    expect(screen.getByRole('textbox', { name: 'Requested by (name)' })).toHaveAccessibleDescription('Enter the requested by (name).');
    expect(screen.getByRole('textbox', { name: 'Requester email' })).toHaveAccessibleDescription('Enter the requester email.');
    expect(screen.getByRole('textbox', { name: /Request number/ })).not.toHaveAttribute('aria-invalid');
    expect(posts).toHaveLength(0);
    // The summary at the top takes focus and links to each field in form order
    const summary = screen.getByRole('alert');
    expect(summary.parentElement).toHaveFocus();
    const links = within(summary).getAllByRole('link');
    expect(links.map((link) => link.textContent)).toEqual([
      'Request type: Enter the request type.',
      'Requested by (name): Enter the requested by (name).',
      'Requester email: Enter the requester email.',
    ]);
    await user.click(links[0] as HTMLElement);
    expect(type).toHaveFocus();
  });

  it('rejects a malformed email until it is fixed', async () => {
    const { posts, user, chooseType } = await setup('databricks');
    await chooseType('Read');
    await user.type(screen.getByRole('textbox', { name: 'Requested by (name)' }), 'Alice');
    const email = screen.getByRole('textbox', { name: 'Requester email' });
    await user.type(email, 'alice.example.com');
    await user.click(submit());
    expect(email).toHaveAccessibleDescription('Enter an email address like name@example.com.');
    expect(posts).toHaveLength(0);

    await user.clear(email);
    await user.type(email, 'alice@example.com');
    expect(email).not.toHaveAttribute('aria-invalid');
    await user.click(submit());
    expect(await screen.findByRole('heading', { name: /All Requests/ })).toBeInTheDocument();
    expect(posts).toHaveLength(1);
  });

  it('creates a Databricks request expiring in 5 days and shows it on the requests list', async () => {
    const { posts, user, router, chooseType } = await setup('databricks');
    await chooseType('Read');
    await user.type(screen.getByRole('textbox', { name: 'Requested by (name)' }), 'Alice Example');
    await user.type(screen.getByRole('textbox', { name: 'Requester email' }), 'alice@example.com');
    await user.click(screen.getByRole('radio', { name: '5 days' }));
    await user.click(submit());

    expect(await screen.findByText('Created request DBR-0077')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/databricks/requests');
    expect(posts[0]?.body).toEqual({
      requestType: 'Read',
      requestedBy: 'Alice Example',
      requestedByEmail: 'alice@example.com',
      expiresInDays: 5,
    });
  });

  it('offers the test durations 1, 5, 29 days, then 30, 90, 180 days, custom date and never expires; "already expired" only in test mode', async () => {
    await setup('databricks', { testSimulation: false });
    const group = screen.getByRole('group', { name: 'Expires' });
    // Wait until the health answer (testSimulation: false) has been read.
    await waitFor(() => {
      expect(screen.queryByText(/Checking whether the API is in test mode/)).not.toBeInTheDocument();
    });
    expect(within(group).getAllByRole('radio').map((r) => r.getAttribute('value'))).toEqual([
      'days-1',
      'days-5',
      'days-29',
      'days-30',
      'days-90',
      'days-180',
      'custom',
      'never',
    ]);
    expect(within(group).queryByRole('radio', { name: /already expired/i })).not.toBeInTheDocument();
  });

  it('in test mode can create an already-expired request (expiresInDays -1)', async () => {
    const { posts, user, chooseType } = await setup('databricks', { testSimulation: true });
    const expired = await screen.findByRole('radio', { name: 'Already expired (test)' });
    await chooseType('Read');
    await user.type(screen.getByRole('textbox', { name: 'Requested by (name)' }), 'Alice');
    await user.type(screen.getByRole('textbox', { name: 'Requester email' }), 'alice@example.com');
    await user.click(expired);
    await user.click(submit());
    await screen.findByText('Created request DBR-0077');
    expect(posts[0]?.body).toMatchObject({ expiresInDays: -1 });
  });

  it('sends neverExpires or a custom expiresOn', async () => {
    const { posts, user, chooseType } = await setup('databricks');
    await chooseType('Read');
    await user.type(screen.getByRole('textbox', { name: 'Requested by (name)' }), 'Alice');
    await user.type(screen.getByRole('textbox', { name: 'Requester email' }), 'alice@example.com');
    await user.click(screen.getByRole('radio', { name: 'Custom date' }));
    await user.click(submit());
    const when = screen.getByLabelText('Expiry date and time');
    expect(when).toHaveAccessibleDescription(expect.stringContaining('Choose the expiry date and time.'));
    await user.type(when, '2099-06-30T17:45');
    await user.click(submit());
    await screen.findByText('Created request DBR-0077');
    expect(posts[0]?.body).toMatchObject({ expiresOn: new Date('2099-06-30T17:45').toISOString() });
    expect(posts[0]?.body).not.toHaveProperty('expiresInDays');
    expect(posts[0]?.body).not.toHaveProperty('neverExpires');
  });

  it('shows the server problem+json errors[] next to their fields', async () => {
    const { user, chooseType } = await setup('databricks', {
      reply: problem(422, 'Validation failed', {
        detail: 'The request body is not valid.',
        errors: [{ field: 'requestedByEmail', message: 'Email domain example.com is not allowed.' }],
      }),
    });
    await chooseType('Read');
    await user.type(screen.getByRole('textbox', { name: 'Requested by (name)' }), 'Alice');
    await user.type(screen.getByRole('textbox', { name: 'Requester email' }), 'alice@example.com');
    await user.click(screen.getByRole('radio', { name: 'Never expires' }));
    await user.click(submit());
    const email = screen.getByRole('textbox', { name: 'Requester email' });
    await screen.findByText('Email domain example.com is not allowed.');
    expect(email).toHaveAccessibleDescription('Email domain example.com is not allowed.');
    await user.click(screen.getByRole('link', { name: 'Requester email: Email domain example.com is not allowed.' }));
    expect(email).toHaveFocus();
  });

  it('offers the request types as a list and shows the limits before anything is typed', async () => {
    // Given the server takes three types, 1 to 36500 days and only contoso.com addresses
    await setup('databricks', {
      routes: { 'GET /api/databricks/request-options': json(requestOptions('databricks', { allowedEmailDomains: ['contoso.com'] })) },
    });

    // Then the type is a choice among exactly those, and the limits are said up front
    const type = screen.getByRole('combobox', { name: 'Request type' });
    expect(within(type).getAllByRole('option').map((o) => o.textContent)).toEqual(['Choose a type', 'Read', 'ReadWrite', 'Admin']);
    expect(screen.getByText('Request type: one of Read, ReadWrite, Admin.')).toBeInTheDocument();
    expect(screen.getByText(/from 1 up to 36500 days from now/)).toBeInTheDocument();
    expect(screen.getByText('Requester email: only addresses at contoso.com.')).toBeInTheDocument();
  });

  it('refuses an address outside the allowed domains before sending', async () => {
    const { posts, user, chooseType } = await setup('databricks', {
      routes: { 'GET /api/databricks/request-options': json(requestOptions('databricks', { allowedEmailDomains: ['contoso.com'] })) },
    });
    await chooseType('Read');
    await user.type(screen.getByRole('textbox', { name: 'Requested by (name)' }), 'Alice');
    await user.type(screen.getByRole('textbox', { name: 'Requester email' }), 'alice@example.com');
    await user.click(submit());

    expect(screen.getByRole('textbox', { name: 'Requester email' })).toHaveAccessibleDescription('Reminders go only to addresses at contoso.com.');
    expect(posts).toHaveLength(0);
  });

  it('shows a duplicate request number (409) at the request-number field', async () => {
    // Given the server already has a request with this number
    const { user, chooseType } = await setup('databricks', {
      reply: problem(409, 'Duplicate request number', { detail: 'A request numbered DBX-1002 already exists.' }),
    });
    await user.type(screen.getByRole('textbox', { name: /Request number/ }), 'DBX-1002');
    await chooseType('Read');
    await user.type(screen.getByRole('textbox', { name: 'Requested by (name)' }), 'Alice');
    await user.type(screen.getByRole('textbox', { name: 'Requester email' }), 'alice@example.com');

    // When it is submitted
    await user.click(submit());

    // Then the field says so, and the summary links to it
    const number = screen.getByRole('textbox', { name: /Request number/ });
    expect(await screen.findByText('A request numbered DBX-1002 already exists.')).toBeInTheDocument();
    expect(number).toHaveAttribute('aria-invalid', 'true');
    expect(number).toHaveAccessibleDescription(expect.stringContaining('A request numbered DBX-1002 already exists.'));
    expect(screen.getByRole('link', { name: 'Request number: A request numbered DBX-1002 already exists.' })).toBeInTheDocument();
  });

  it('shows a reader the form disabled, with the role it needs, before any click', async () => {
    const { posts } = await setup('databricks', { routes: { 'GET /api/me': json(READER_ME) } });

    await screen.findByText('This needs the access-admin role; you are signed in as a reader.');
    expect(submit()).toBeDisabled();
    expect(screen.getByRole('combobox', { name: 'Request type' })).toBeDisabled();
    expect(screen.getByRole('group', { name: 'Expires' })).toBeDisabled();
    expect(posts).toHaveLength(0);
  });

  it('says in words why the server refused when no field is to blame', async () => {
    const { user, chooseType } = await setup('databricks', { reply: problem(503, 'Service Unavailable', { detail: 'The database is unreachable.' }) });
    await chooseType('Read');
    await user.type(screen.getByRole('textbox', { name: 'Requested by (name)' }), 'Alice');
    await user.type(screen.getByRole('textbox', { name: 'Requester email' }), 'alice@example.com');
    await user.click(submit());
    expect(await screen.findByRole('alert')).toHaveTextContent('Service Unavailable: The database is unreachable.');
  });

  it('asks Palantir for project fields and sends them', async () => {
    const { posts, user, chooseType } = await setup('palantir');
    expect(screen.queryByRole('textbox', { name: 'Requested by (name)' })).not.toBeInTheDocument();
    await user.click(submit());
    expect(screen.getByRole('textbox', { name: 'Project ID' })).toHaveAccessibleDescription('Enter the project id.');
    await user.type(screen.getByRole('textbox', { name: 'Project ID' }), 'PRJ-9');
    await user.type(screen.getByRole('textbox', { name: /Project RID/ }), 'ri.compass.main.folder.9');
    await chooseType('Editor');
    await user.type(screen.getByRole('textbox', { name: /Justification/ }), 'Quarterly audit');
    await user.type(screen.getByRole('textbox', { name: 'Requester email' }), 'pat@example.com');
    await user.click(screen.getByRole('radio', { name: '1 day' }));
    await user.click(submit());
    await screen.findByText(/Created project PRJ-1/);
    expect(posts[0]?.body).toEqual({
      projectId: 'PRJ-9',
      projectRid: 'ri.compass.main.folder.9',
      requestType: 'Editor',
      justification: 'Quarterly audit',
      requestedByEmail: 'pat@example.com',
      expiresInDays: 1,
    });
  });
});
