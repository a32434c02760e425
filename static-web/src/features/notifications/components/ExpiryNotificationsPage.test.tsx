import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ACTIVE_JOB, pendingNotification } from '../../../test/fixtures';
import { json, mockApi, problem, READER_ME, type RecordedCall } from '../../../test/mock-api';
import { confirmAction, renderAt } from '../../../test/render';
import type { PendingNotification } from '../../requests/types';

const BASE = '/api/databricks/access-requests';
const CANDIDATES: PendingNotification[] = [
  pendingNotification({ id: 1, requestNumber: 'DBR-1', requestedByEmail: 'alice@example.com', daysLeft: 25 }),
  pendingNotification({ id: 2, requestNumber: 'DBR-2', requestedByEmail: 'bob@example.com', daysLeft: 6, reminderType: '7-Day Reminder', notificationCount: 1 }),
  pendingNotification({ id: 3, requestNumber: 'DBR-3', requestedByEmail: 'alice@example.com', daysLeft: 12 }),
];

const RESULT = {
  message: 'Sent 2 of 3 notifications.',
  jobId: 'job-7',
  notifiedCount: 2,
  failedCount: 1,
  notifications: [
    { requestId: 1, email: 'alice@example.com', reminderType: '30-Day Reminder', daysLeft: 25, sentAt: '2025-03-04T10:00:10Z' },
    { requestId: 3, email: 'alice@example.com', reminderType: '30-Day Reminder', daysLeft: 12, sentAt: '2025-03-04T10:00:10Z' },
  ],
  failures: [{ requestId: 2, email: 'bob@example.com', reminderType: '7-Day Reminder', error: 'Simulated failure for bob@example.com' }],
  performance: { parallelMs: 10_150, estimatedSequentialMs: 30_300, speedup: 2.985 },
};

function setup(options: { testSimulation?: boolean; candidates?: PendingNotification[]; me?: typeof READER_ME } = {}) {
  const posts: RecordedCall[] = [];
  const api = mockApi({
    ...(options.me ? { 'GET /api/me': json(options.me) } : {}),
    'GET /api/health': json({ status: 'ok', database: 'ok', testSimulation: options.testSimulation ?? true }),
    [`GET ${BASE}/notification-job-status`]: json({ isLocked: false, activeJob: null }),
    [`GET ${BASE}/pending-notifications`]: json(options.candidates ?? CANDIDATES),
    [`POST ${BASE}/send-expiry-notifications`]: (call) => {
      posts.push(call);
      return json(RESULT);
    },
  });
  const user = userEvent.setup();
  renderAt('/databricks/notifications');
  return { api, posts, user };
}

async function readyButton() {
  const button = await screen.findByRole('button', { name: 'Trigger Notification to All (3)' });
  await vi.waitFor(() => {
    expect(button).toBeEnabled();
  });
  return button;
}

describe('ExpiryNotificationsPage', () => {
  it('lists the candidates with reminder type and days left', async () => {
    setup();
    await readyButton();
    const table = screen.getByRole('table', { name: 'Requests due an expiry reminder' });
    const headers = within(table).getAllByRole('columnheader').map((th) => th.textContent);
    expect(headers).toEqual(expect.arrayContaining(['Request', 'Requested by', 'Days left', 'Reminder to send', 'Expires']));
    const bobRow = within(table).getByText('DBR-2').closest('tr');
    expect(bobRow).not.toBeNull();
    expect(within(bobRow as HTMLElement).getByText('7-Day Reminder')).toBeInTheDocument();
    expect(within(bobRow as HTMLElement).getByText('6')).toBeInTheDocument();
  });

  it('offers the Test Mode radios with their exact labels, Normal selected', async () => {
    setup();
    await readyButton();
    const group = screen.getByRole('group', { name: 'Test Mode' });
    const radios = within(group).getAllByRole('radio');
    expect(radios.map((r) => r.getAttribute('value'))).toEqual(['normal', 'random', 'pick']);
    expect(within(group).getByRole('radio', { name: 'Normal' })).toBeChecked();
    expect(within(group).getByRole('radio', { name: 'Random failures' })).not.toBeChecked();
    expect(within(group).getByRole('radio', { name: 'Pick emails to fail' })).not.toBeChecked();
  });

  it('Normal sends no test parameter', async () => {
    const { posts, user } = setup();
    await user.click(await readyButton());
    confirmAction('Send 3 reminders?');
    await screen.findByText('Sent 2 of 3 notifications.');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.url.search).toBe('');
  });

  it('Random failures sends simulateFailures=true', async () => {
    const { posts, user } = setup();
    const button = await readyButton();
    await user.click(screen.getByRole('radio', { name: 'Random failures' }));
    await user.click(button);
    confirmAction('Send 3 reminders?');
    await screen.findByText('Sent 2 of 3 notifications.');
    expect(posts[0]?.url.searchParams.get('simulateFailures')).toBe('true');
    expect(posts[0]?.url.searchParams.getAll('failEmail')).toEqual([]);
  });

  it('Pick emails to fail shows one checkbox per distinct email and sends a failEmail per ticked one', async () => {
    const { posts, user } = setup();
    const button = await readyButton();
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'Pick emails to fail' }));
    const picks = screen.getByRole('group', { name: 'Emails to fail' });
    expect(within(picks).getAllByRole<HTMLInputElement>('checkbox').map((c) => c.labels?.[0]?.textContent)).toEqual([
      'alice@example.com',
      'bob@example.com',
    ]);
    await user.click(within(picks).getByRole('checkbox', { name: 'bob@example.com' }));
    await user.click(button);
    confirmAction('Send 3 reminders?');
    await screen.findByText('Sent 2 of 3 notifications.');
    expect(posts[0]?.url.searchParams.getAll('failEmail')).toEqual(['bob@example.com']);
    expect(posts[0]?.url.searchParams.has('simulateFailures')).toBe(false);
  });

  it('Pick emails to fail searches 397 emails instead of listing them all, and counts the picks', async () => {
    // Given 397 requests due a reminder, each from its own requester
    const many = Array.from({ length: 397 }, (_, n) =>
      pendingNotification({ id: n + 1, requestNumber: `DBR-${String(n + 1)}`, requestedByEmail: `user${String(n + 1).padStart(3, '0')}@example.com` }),
    );
    const { posts, user } = setup({ candidates: many });
    const button = await screen.findByRole('button', { name: 'Trigger Notification to All (397)' });
    await vi.waitFor(() => {
      expect(button).toBeEnabled();
    });

    // When Pick emails to fail is chosen
    await user.click(screen.getByRole('radio', { name: 'Pick emails to fail' }));
    const picks = screen.getByRole('group', { name: 'Emails to fail' });

    // Then only the first 20 boxes show, with a search for the rest
    expect(within(picks).getAllByRole('checkbox')).toHaveLength(20);
    expect(picks).toHaveTextContent('Showing 20 of 397 matching emails');
    expect(picks).toHaveTextContent('0 of 397 picked to fail.');

    // When a search finds one, it is ticked, and the search is cleared
    const find = within(picks).getByRole('searchbox', { name: 'Find emails' });
    await user.type(find, 'user250');
    expect(within(picks).getAllByRole('checkbox').map((c) => c.getAttribute('id')?.endsWith('user250@example.com'))).toEqual([true]);
    await user.click(within(picks).getByRole('checkbox', { name: 'user250@example.com' }));
    await user.clear(find);

    // Then the ticked one stays listed and counted, and it is the one sent to fail
    expect(within(picks).getByRole('checkbox', { name: 'user250@example.com' })).toBeChecked();
    expect(picks).toHaveTextContent('1 of 397 picked to fail.');
    await user.click(button);
    confirmAction('Send 397 reminders?');
    await screen.findByText('Sent 2 of 3 notifications.');
    expect(posts[0]?.url.searchParams.getAll('failEmail')).toEqual(['user250@example.com']);
  });

  it('pages the list of requests due a reminder, 50 at a time', async () => {
    const many = Array.from({ length: 120 }, (_, n) => pendingNotification({ id: n + 1, requestNumber: `DBR-${String(n + 1)}` }));
    const { user } = setup({ candidates: many });
    const table = await screen.findByRole('table', { name: 'Requests due an expiry reminder' });
    expect(within(table).getAllByRole('row')).toHaveLength(51);
    const bottom = screen.getByRole('navigation', { name: 'Pages of Requests due an expiry reminder, bottom' });
    expect(bottom).toHaveTextContent('Page 1 of 3 (1–50 of 120)');
    await user.click(within(bottom).getByRole('button', { name: 'Next' }));
    expect(within(screen.getByRole('table', { name: 'Requests due an expiry reminder' })).getByText('DBR-51')).toBeInTheDocument();
  });

  it('sends every ticked email as a repeated failEmail parameter', async () => {
    const { posts, user } = setup();
    const button = await readyButton();
    await user.click(screen.getByRole('radio', { name: 'Pick emails to fail' }));
    await user.click(screen.getByRole('checkbox', { name: 'alice@example.com' }));
    await user.click(screen.getByRole('checkbox', { name: 'bob@example.com' }));
    await user.click(screen.getByRole('checkbox', { name: 'alice@example.com' }));
    await user.click(screen.getByRole('checkbox', { name: 'alice@example.com' }));
    await user.click(button);
    confirmAction('Send 3 reminders?');
    await screen.findByText('Sent 2 of 3 notifications.');
    expect(posts[0]?.url.searchParams.getAll('failEmail')).toEqual(['alice@example.com', 'bob@example.com']);
  });

  it('shows the result: counts, sent and failed lists, parallel vs sequential time and speedup', async () => {
    const { user } = setup();
    await user.click(await readyButton());
    confirmAction('Send 3 reminders?');
    const result = await screen.findByRole('region', { name: 'Last run' });
    expect(within(result).getByText('Sent').nextElementSibling).toHaveTextContent('2');
    expect(within(result).getByText('Failed').nextElementSibling).toHaveTextContent('1');
    expect(within(result).getByText('Parallel time').nextElementSibling).toHaveTextContent('10.2 s');
    expect(within(result).getByText('Estimated sequential time').nextElementSibling).toHaveTextContent('30.3 s');
    expect(within(result).getByText('Speedup').nextElementSibling).toHaveTextContent('3.0×');
    const sent = within(result).getByRole('table', { name: 'Notifications sent' });
    expect(within(sent).getAllByRole('row')).toHaveLength(3);
    const failed = within(result).getByRole('table', { name: 'Notifications that failed' });
    expect(within(failed).getByText('bob@example.com')).toBeInTheDocument();
    expect(within(failed).getByText('Simulated failure for bob@example.com')).toBeInTheDocument();
  });

  it('offers only Normal when the API is not in test mode', async () => {
    setup({ testSimulation: false });
    await readyButton();
    await vi.waitFor(() => {
      expect(screen.getByRole('radio', { name: 'Random failures' })).toBeDisabled();
    });
    expect(screen.getByRole('radio', { name: 'Pick emails to fail' })).toBeDisabled();
    expect(screen.getByRole('radio', { name: 'Normal' })).toBeEnabled();
  });

  it('a 409 shows the running job in the banner and disables the trigger', async () => {
    const { api, user } = setup();
    api.set(`POST ${BASE}/send-expiry-notifications`, problem(409, 'Job already running', { activeJob: { ...ACTIVE_JOB, jobType: 'ExpiryNotificationDatabricks' } }));
    const button = await readyButton();
    await user.click(button);
    confirmAction('Send 3 reminders?');
    expect(await screen.findByRole('status')).toHaveTextContent('Job is currently running — Started by func-host-2');
    expect(button).toBeDisabled();
  });

  it('disables the trigger when nobody needs a reminder', async () => {
    setup({ candidates: [] });
    expect(await screen.findByText('No request needs a reminder right now.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Trigger Notification to All (0)' })).toBeDisabled();
  });

  it('says beside the button and in its question how many will be made to fail, and clears the picks after the run', async () => {
    const { posts, user } = setup();
    const button = await readyButton();
    await user.click(screen.getByRole('radio', { name: 'Pick emails to fail' }));
    await user.click(screen.getByRole('checkbox', { name: 'alice@example.com' }));

    // alice has two of the three reminders
    const note = 'Test mode: 2 of 3 will be made to fail (the picked emails).';
    expect(button).toHaveAccessibleDescription(note);
    await user.click(button);
    expect(within(screen.getByRole('dialog', { name: 'Send 3 reminders?' })).getByText(note)).toBeInTheDocument();
    confirmAction('Send 3 reminders?');
    await screen.findByText('Sent 2 of 3 notifications.');

    expect(posts[0]?.url.searchParams.getAll('failEmail')).toEqual(['alice@example.com']);
    expect(screen.getByRole('checkbox', { name: 'alice@example.com' })).not.toBeChecked();
    expect(button).toHaveAccessibleDescription('Test mode: no email picked, so none will be made to fail.');
  });

  it('shows a reader the trigger and the email preview disabled, with the role they need', async () => {
    const { posts } = setup({ me: READER_ME });
    const button = await screen.findByRole('button', { name: 'Trigger Notification to All (3)' });
    const reason = 'This needs the access-admin role; you are signed in as a reader.';

    await vi.waitFor(() => {
      expect(button).toHaveAccessibleDescription(reason);
    });
    expect(button).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Show preview' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Show preview' })).toHaveAccessibleDescription(reason);
    expect(posts).toHaveLength(0);
  });
});
