import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { json, mockApi } from '../../../test/mock-api';
import { renderAt } from '../../../test/render';
import { formatLocal } from '../../../lib/format';
import type { JobRun } from '../types';

const RUNS: JobRun[] = [
  {
    jobId: 'run-3',
    jobType: 'ExpiryNotificationPalantir',
    status: 'Failed',
    startedAt: '2025-03-04T10:00:00Z',
    startedBy: 'host-b',
    completedAt: '2025-03-04T10:10:00Z',
    processedCount: 0,
    failedCount: 0,
    errorMessage: 'Lock expired; reclaimed by run-4',
  },
  {
    jobId: 'run-2',
    jobType: 'RevokeExpiredPalantir',
    status: 'Completed',
    startedAt: '2025-03-04T09:00:00Z',
    startedBy: 'host-a',
    completedAt: '2025-03-04T09:00:12.300Z',
    processedCount: 4,
    failedCount: 0,
    errorMessage: null,
    requestedBy: 'kim@example.com',
  },
  {
    jobId: 'run-1',
    jobType: 'ExpiryNotificationPalantir',
    status: 'Completed',
    startedAt: '2025-03-03T08:00:00Z',
    startedBy: 'host-a',
    completedAt: '2025-03-03T08:00:10Z',
    processedCount: 3,
    failedCount: 1,
    errorMessage: null,
  },
];

describe('JobHistoryPage', () => {
  it("opens a run's own page from its row", async () => {
    // Given the history, and the revoke run's record
    mockApi({
      'GET /api/palantir/jobs': json(RUNS),
      'GET /api/palantir/jobs/run-2': json({
        ...RUNS[1],
        result: { message: 'Revoked 4 expired requests.', jobId: 'run-2', revokedCount: 4, revokedAt: '2025-03-04T09:00:12Z', lockLost: false },
      }),
    });
    const user = userEvent.setup();
    const { router } = renderAt('/palantir/jobs');
    const table = await screen.findByRole('table', { name: 'Recent job runs' });
    const revokeRow = within(table).getAllByRole('row')[2] as HTMLElement;
    expect(revokeRow).toHaveTextContent('kim@example.com');

    // When its link is followed
    await user.click(within(revokeRow).getByRole('link', { name: 'Run run-2: Revoke expired' }));

    // Then the run's page shows it
    expect(await screen.findByText('Revoked 4 expired requests.')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/palantir/jobs/run-2');
  });

  it('shows a completed run with failures as such, not as Completed', async () => {
    mockApi({ 'GET /api/palantir/jobs': json(RUNS) });
    renderAt('/palantir/jobs');
    const table = await screen.findByRole('table', { name: 'Recent job runs' });
    const status = (row: number) => within(within(table).getAllByRole('row')[row] as HTMLElement).getAllByRole('cell')[1];
    expect(status(1)).toHaveTextContent(/^Failed$/);
    expect(status(2)).toHaveTextContent(/^Completed$/);
    expect(status(3)).toHaveTextContent(/^Completed with failures$/);
  });

  it('pages beyond the first 50 runs by offset', async () => {
    // Given 60 runs
    const many = Array.from<unknown, JobRun>({ length: 60 }, (_, n) => ({ ...(RUNS[1] as JobRun), jobId: `run-${String(n)}` }));
    const api = mockApi({
      'GET /api/palantir/jobs': (call) => {
        const offset = Number(call.url.searchParams.get('offset'));
        const limit = Number(call.url.searchParams.get('limit'));
        return json(many.slice(offset, offset + limit));
      },
    });
    const user = userEvent.setup();
    renderAt('/palantir/jobs');
    const top = await screen.findByRole('navigation', { name: 'Pages of job runs, top' });
    expect(top).toHaveTextContent('Page 1: runs 1–50');

    // When Next is pressed
    await user.click(within(top).getByRole('button', { name: 'Next' }));

    // Then the next 10 show, and there is no page after them
    expect(await screen.findAllByText('Page 2: runs 51–60')).toHaveLength(2);
    expect(within(screen.getByRole('navigation', { name: 'Pages of job runs, top' })).getByRole('button', { name: 'Next' })).toBeDisabled();
    expect(api.callsTo('GET /api/palantir/jobs').map((c) => c.url.search)).toEqual(['?limit=51&offset=0', '?limit=51&offset=50']);
  });

  it('lists recent runs with status, duration, counts and errors, and charts them', async () => {
    mockApi({ 'GET /api/palantir/jobs': json(RUNS) });
    renderAt('/palantir/jobs');
    const table = await screen.findByRole('table', { name: 'Recent job runs' });
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toEqual([
      'Job',
      'Status',
      'Started',
      'Requested by',
      'Run by',
      'Duration',
      'Processed',
      'Failed',
      'Error',
    ]);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    const failedRow = rows[0] as HTMLElement;
    expect(failedRow).toHaveTextContent('Expiry notifications');
    expect(failedRow).toHaveTextContent('Failed');
    expect(failedRow).toHaveTextContent('10 min');
    expect(failedRow).toHaveTextContent('Lock expired; reclaimed by run-4');
    expect(rows[1]).toHaveTextContent('Revoke expired');
    expect(rows[1]).toHaveTextContent('12.3 s');

    const chart = screen.getByRole('img', { name: 'Recent job runs' });
    expect(chart.querySelectorAll('rect')).toHaveLength(3);
    expect(chart.querySelectorAll('rect.bar-failed')).toHaveLength(1);
    expect(chart.querySelectorAll('rect.bar-failures')).toHaveLength(1);
    // and its time axis names the oldest and the newest run's start
    const ticks = [...document.querySelectorAll('.chart-tick')].map((tick) => tick.textContent);
    expect(ticks).toEqual([formatLocal('2025-03-03T08:00:00Z'), formatLocal('2025-03-04T10:00:00Z')]);
  });

  it('filters by job kind', async () => {
    mockApi({ 'GET /api/palantir/jobs': json(RUNS) });
    const user = userEvent.setup();
    renderAt('/palantir/jobs');
    await screen.findByRole('table', { name: 'Recent job runs' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Job' }), 'Revoke expired');
    const table = screen.getByRole('table', { name: 'Recent job runs' });
    expect(within(table).getAllByRole('row')).toHaveLength(2);
  });

  it('has an empty state', async () => {
    mockApi({ 'GET /api/databricks/jobs': json([]) });
    renderAt('/databricks/jobs');
    expect(await screen.findByText('No job runs yet.')).toBeInTheDocument();
  });
});
