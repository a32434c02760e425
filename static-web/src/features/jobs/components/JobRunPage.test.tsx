import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, mockApi } from '../../../test/mock-api';
import { advance, renderAt } from '../../../test/render';

const RUN = {
  jobId: '0b7c1c52-1111-4222-8333-444455556666',
  jobType: 'ExpiryNotificationDatabricks',
  status: 'Completed',
  startedAt: '2025-03-04T10:00:00Z',
  startedBy: 'func-host-2',
  completedAt: '2025-03-04T10:02:00Z',
  processedCount: 61,
  failedCount: 1,
  errorMessage: null,
  requestedBy: 'kim@example.com',
};
const PATH = `GET /api/databricks/jobs/${RUN.jobId}`;

function sent(n: number) {
  return {
    requestId: 1000 + n,
    requestLabel: `DBX-${String(1000 + n)}`,
    email: `user${String(n)}@example.com`,
    reminderType: '30-Day Reminder',
    daysLeft: 20,
    sentAt: '2025-03-04T10:01:00Z',
  };
}

const RESULT = {
  message: 'Sent 60 of 61 expiry reminders; 1 failed.',
  jobId: RUN.jobId,
  notifiedCount: 60,
  failedCount: 1,
  notifications: Array.from({ length: 60 }, (_, n) => sent(n)),
  failures: [{ requestId: 1002, requestLabel: 'DBX-1002', email: 'bob@example.com', reminderType: '7-Day Reminder', error: 'mailbox full' }],
  performance: { parallelMs: 900, estimatedSequentialMs: 9000, speedup: 10 },
  lockLost: false,
  notStarted: 0,
};

afterEach(() => {
  vi.useRealTimers();
});

describe('JobRunPage', () => {
  it('shows who asked, the status with its failures, and every outcome by request number, paged', async () => {
    // Given a notification run that sent 60 reminders and failed one
    mockApi({ [PATH]: json({ ...RUN, result: RESULT }) });
    const user = userEvent.setup();

    // When its page opens
    renderAt(`/databricks/jobs/${RUN.jobId}`);

    // Then it says who asked and that it completed with failures
    expect(await screen.findByRole('heading', { level: 1, name: /Expiry notifications run/ })).toBeInTheDocument();
    expect(screen.getByText('kim@example.com')).toBeInTheDocument();
    expect(screen.getAllByText('Completed with failures').length).toBeGreaterThan(0);
    // and names the failed request by its number
    const failed = screen.getByRole('table', { name: 'Notifications that failed' });
    expect(within(failed).getByText('DBX-1002')).toBeInTheDocument();
    expect(within(failed).getByText('mailbox full')).toBeInTheDocument();
    // and pages the 60 sent, 50 at a time
    const sentTable = screen.getByRole('table', { name: 'Notifications sent' });
    expect(within(sentTable).getAllByRole('row')).toHaveLength(51);
    const pager = screen.getByRole('navigation', { name: 'Pages of Notifications sent, top' });
    expect(pager).toHaveTextContent('Page 1 of 2 (1–50 of 60)');
    await user.click(within(pager).getByRole('button', { name: 'Next' }));
    expect(within(screen.getByRole('table', { name: 'Notifications sent' })).getByText('DBX-1059')).toBeInTheDocument();
  });

  it('lists what a revoke run revoked, by project', async () => {
    mockApi({
      'GET /api/palantir/jobs/run-9': json({
        ...RUN,
        jobId: 'run-9',
        jobType: 'RevokeExpiredPalantir',
        failedCount: 0,
        result: {
          message: 'Revoked 1 expired request.',
          jobId: 'run-9',
          revokedCount: 1,
          revokedAt: '2025-03-04T10:01:00Z',
          lockLost: false,
          revoked: [{ requestId: '6f1c1a9e-0000-4000-8000-000000000001', requestLabel: 'PRJ-7', email: 'pat@example.com' }],
        },
      }),
    });
    renderAt('/palantir/jobs/run-9');
    const table = await screen.findByRole('table', { name: 'Requests revoked' });
    expect(within(table).getByText('PRJ-7')).toBeInTheDocument();
    expect(within(table).getByText('pat@example.com')).toBeInTheDocument();
    expect(screen.getByText('Completed')).toBeInTheDocument();
  });

  it('reads a run still in progress again every 3 s until it has its result', async () => {
    // Given a run in progress that finishes on the second read
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let reads = 0;
    mockApi({
      [PATH]: () => {
        reads += 1;
        return json(
          reads < 2
            ? { ...RUN, status: 'InProgress', completedAt: null, result: null }
            : { ...RUN, result: RESULT },
        );
      },
    });

    // When the page opens and 3 s pass
    renderAt(`/databricks/jobs/${RUN.jobId}`);
    expect(await screen.findByText(/still in progress/)).toBeInTheDocument();
    await advance(3000);

    // Then the outcome shows
    expect(await screen.findByText('Sent 60 of 61 expiry reminders; 1 failed.')).toBeInTheDocument();
    expect(reads).toBe(2);
  });
});
