import { screen, waitForElementToBeRemoved, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { databricksRequest, palantirRequest } from '../../../test/fixtures';
import { json, mockApi, problem, type Handler, type RecordedCall } from '../../../test/mock-api';
import { renderAt } from '../../../test/render';

function setup(platform: 'databricks' | 'palantir', options: { testSimulation?: boolean; reply?: Handler } = {}) {
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
  });
  const user = userEvent.setup();
  const rendered = renderAt(`/${platform}/requests/new`);
  return { posts, user, ...rendered };
}

const submit = () => screen.getByRole('button', { name: 'Create request' });

describe('CreateRequestPage', () => {
  it('shows labelled errors for missing required fields and sends nothing', async () => {
    const { posts, user } = setup('databricks');
    await user.click(submit());
    expect(await screen.findByRole('alert')).toHaveTextContent('Fix the 3 highlighted fields.');
    const type = screen.getByRole('combobox', { name: 'Request type' });
    expect(type).toHaveAttribute('aria-invalid', 'true');
    expect(type).toHaveAccessibleDescription(expect.stringContaining('Enter the request type.'));
    expect(screen.getByRole('textbox', { name: 'Requested by (name)' })).toHaveAccessibleDescription('Enter the requested by (name).');
    expect(screen.getByRole('textbox', { name: 'Requester email' })).toHaveAccessibleDescription('Enter the requester email.');
    expect(screen.getByRole('textbox', { name: /Request number/ })).not.toHaveAttribute('aria-invalid');
    expect(type).toHaveFocus();
    expect(posts).toHaveLength(0);
  });

  it('rejects a malformed email until it is fixed', async () => {
    const { posts, user } = setup('databricks');
    await user.type(screen.getByRole('combobox', { name: 'Request type' }), 'Read');
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
    const { posts, user, router } = setup('databricks');
    await user.type(screen.getByRole('combobox', { name: 'Request type' }), 'Read');
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

  it('offers durations 1, 5, 29 days, custom date and never expires; "already expired" only in test mode', async () => {
    setup('databricks', { testSimulation: false });
    const group = screen.getByRole('group', { name: 'Expires' });
    // Wait until the health answer (testSimulation: false) has been read.
    await waitForElementToBeRemoved(() => screen.queryByText(/Checking whether the API is in test mode/));
    expect(within(group).getAllByRole('radio').map((r) => r.getAttribute('value'))).toEqual([
      'days-1',
      'days-5',
      'days-29',
      'custom',
      'never',
    ]);
    expect(within(group).queryByRole('radio', { name: /already expired/i })).not.toBeInTheDocument();
  });

  it('in test mode can create an already-expired request (expiresInDays -1)', async () => {
    const { posts, user } = setup('databricks', { testSimulation: true });
    const expired = await screen.findByRole('radio', { name: 'Already expired (test)' });
    await user.type(screen.getByRole('combobox', { name: 'Request type' }), 'Read');
    await user.type(screen.getByRole('textbox', { name: 'Requested by (name)' }), 'Alice');
    await user.type(screen.getByRole('textbox', { name: 'Requester email' }), 'alice@example.com');
    await user.click(expired);
    await user.click(submit());
    await screen.findByText('Created request DBR-0077');
    expect(posts[0]?.body).toMatchObject({ expiresInDays: -1 });
  });

  it('sends neverExpires or a custom expiresOn', async () => {
    const { posts, user } = setup('databricks');
    await user.type(screen.getByRole('combobox', { name: 'Request type' }), 'Read');
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
    const { user } = setup('databricks', {
      reply: problem(422, 'Validation failed', {
        detail: 'The request body is not valid.',
        errors: [{ field: 'requestedByEmail', message: 'Email domain example.com is not allowed.' }],
      }),
    });
    await user.type(screen.getByRole('combobox', { name: 'Request type' }), 'Read');
    await user.type(screen.getByRole('textbox', { name: 'Requested by (name)' }), 'Alice');
    await user.type(screen.getByRole('textbox', { name: 'Requester email' }), 'alice@example.com');
    await user.click(screen.getByRole('radio', { name: 'Never expires' }));
    await user.click(submit());
    const email = screen.getByRole('textbox', { name: 'Requester email' });
    await screen.findByText('Email domain example.com is not allowed.');
    expect(email).toHaveAccessibleDescription('Email domain example.com is not allowed.');
    expect(email).toHaveFocus();
  });

  it('says in words why the server refused when no field is to blame', async () => {
    const { user } = setup('databricks', { reply: problem(503, 'Service Unavailable', { detail: 'The database is unreachable.' }) });
    await user.type(screen.getByRole('combobox', { name: 'Request type' }), 'Read');
    await user.type(screen.getByRole('textbox', { name: 'Requested by (name)' }), 'Alice');
    await user.type(screen.getByRole('textbox', { name: 'Requester email' }), 'alice@example.com');
    await user.click(submit());
    expect(await screen.findByRole('alert')).toHaveTextContent('Service Unavailable: The database is unreachable.');
  });

  it('asks Palantir for project fields and sends them', async () => {
    const { posts, user } = setup('palantir');
    expect(screen.queryByRole('textbox', { name: 'Requested by (name)' })).not.toBeInTheDocument();
    await user.click(submit());
    expect(screen.getByRole('textbox', { name: 'Project ID' })).toHaveAccessibleDescription('Enter the project id.');
    await user.type(screen.getByRole('textbox', { name: 'Project ID' }), 'PRJ-9');
    await user.type(screen.getByRole('textbox', { name: /Project RID/ }), 'ri.compass.main.folder.9');
    await user.type(screen.getByRole('combobox', { name: 'Request type' }), 'Write');
    await user.type(screen.getByRole('textbox', { name: /Justification/ }), 'Quarterly audit');
    await user.type(screen.getByRole('textbox', { name: 'Requester email' }), 'pat@example.com');
    await user.click(screen.getByRole('radio', { name: '1 day' }));
    await user.click(submit());
    await screen.findByText(/Created project PRJ-1/);
    expect(posts[0]?.body).toEqual({
      projectId: 'PRJ-9',
      projectRid: 'ri.compass.main.folder.9',
      requestType: 'Write',
      justification: 'Quarterly audit',
      requestedByEmail: 'pat@example.com',
      expiresInDays: 1,
    });
  });
});
