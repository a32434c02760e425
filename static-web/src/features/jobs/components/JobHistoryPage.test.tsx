import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { json, mockApi } from '../../../test/mock-api';
import { renderAt } from '../../../test/render';
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
  it("shows who asked for each run and links to a finished run's result, fetched from its record", async () => {
    const api = mockApi({
      'GET /api/palantir/jobs': json(RUNS),
      'GET /api/palantir/jobs/run-2': json({
        ...RUNS[1],
        result: { message: 'Revoked 4 expired requests.', jobId: 'run-2', revokedCount: 4, revokedAt: '2025-03-04T09:00:12Z', lockLost: false },
      }),
    });
    const user = userEvent.setup();
    renderAt('/palantir/jobs');
    const table = await screen.findByRole('table', { name: 'Recent job runs' });
    const revokeRow = within(table).getAllByRole('row')[2] as HTMLElement;
    expect(revokeRow).toHaveTextContent('kim@example.com');

    await user.click(within(revokeRow).getByRole('link', { name: 'Result of run run-2' }));

    const shown = await screen.findByRole('region', { name: 'Run run-2' });
    expect(shown).toHaveTextContent('requested by kim@example.com');
    expect(within(shown).getByText('Revoked 4 expired requests.')).toBeInTheDocument();
    expect(api.calls.map((c) => c.path)).toContain('/api/palantir/jobs/run-2');
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
      'Started by',
      'Duration',
      'Processed',
      'Failed',
      'Error',
      'Result',
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
