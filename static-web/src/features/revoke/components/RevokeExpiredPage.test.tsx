import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatLocal } from '../../../lib/format';
import { ACTIVE_JOB, databricksRequest, palantirRequest } from '../../../test/fixtures';
import { json, mockApi, problem, READER_ME } from '../../../test/mock-api';
import { advance, confirmAction, renderAt } from '../../../test/render';
import type { JobStatus } from '../../jobs/types';
import type { AccessRequest } from '../../requests/types';

const UNLOCKED: JobStatus = { isLocked: false, activeJob: null };
const LOCKED: JobStatus = { isLocked: true, activeJob: ACTIVE_JOB };

function revokeServer(platform: 'databricks' | 'palantir', initial: { status: JobStatus; expired: AccessRequest[] }) {
  const state = { ...initial };
  const base = `/api/${platform}/access-requests`;
  const api = mockApi({
    [`GET ${base}/revoke-job-status`]: () => json(state.status),
    [`GET ${base}/pending-expiry`]: () => json(state.expired),
  });
  return { api, state, base };
}

/** Opens the page and waits until its trigger, named `name`, can be clicked. */
async function openReady(path: string, name: string) {
  renderAt(path);
  const button = await screen.findByRole('button', { name });
  await vi.waitFor(() => {
    expect(button).toBeEnabled();
  });
  return button;
}

const TWO_EXPIRED = [databricksRequest({ id: 1, requestNumber: 'DBR-1' }), databricksRequest({ id: 2, requestNumber: 'DBR-2' })];

describe('RevokeExpiredPage', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lists the expired requests and names the button after their count', async () => {
    revokeServer('databricks', { status: UNLOCKED, expired: TWO_EXPIRED });
    await openReady('/databricks/revoke', 'Run Revoke Job (2)');
    const table = screen.getByRole('table', { name: 'Expired requests that are still active' });
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toContain('Expires');
    expect(within(table).getByText('DBR-2')).toBeInTheDocument();
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });

  it('disables the button when there is nothing to revoke', async () => {
    revokeServer('databricks', { status: UNLOCKED, expired: [] });
    renderAt('/databricks/revoke');
    expect(await screen.findByText('No expired requests are waiting to be revoked.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Run Revoke Job (0)' })).toBeDisabled();
  });

  it('shows the yellow running-job banner (role=status) and disables the button when locked on load', async () => {
    revokeServer('databricks', { status: LOCKED, expired: TWO_EXPIRED });
    renderAt('/databricks/revoke');
    const banner = await screen.findByRole('status');
    expect(banner).toHaveTextContent(/^Job is currently running — Started by func-host-2 at .+/);
    expect(banner).toHaveTextContent('The button is disabled. This page will auto-refresh when the job completes.');
    expect(banner).toHaveClass('job-banner');
    const time = within(banner).getByText((_, el) => el?.tagName === 'TIME');
    expect(time).toHaveAttribute('title', '2025-03-04T10:15:30.000Z (UTC)');
    expect(await screen.findByRole('button', { name: 'Run Revoke Job (2)' })).toBeDisabled();
  });

  it('on a 409 shows the active job and polls every 3 s; on unlock clears the banner, re-enables and refreshes the list', async () => {
    vi.useFakeTimers();
    const { api, state, base } = revokeServer('databricks', { status: UNLOCKED, expired: TWO_EXPIRED });
    api.set(`POST ${base}/revoke-expired`, () => {
      state.status = LOCKED; // another tab's job holds the lock
      return problem(409, 'Job already running', {
        detail: 'RevokeExpiredDatabricks is already running on func-host-2.',
        activeJob: ACTIVE_JOB,
      });
    });
    renderAt('/databricks/revoke');
    await advance();
    const button = screen.getByRole('button', { name: 'Run Revoke Job (2)' });
    expect(button).toBeEnabled();

    fireEvent.click(button);
    confirmAction('Revoke 2 expired requests?');
    await advance();
    expect(screen.getByRole('status')).toHaveTextContent('Job is currently running — Started by func-host-2 at');
    // The job's readable name, and its start in the banner's own local format (not RevokeExpiredDatabricks, not UTC)
    const started = formatLocal(ACTIVE_JOB.startedAt, true);
    expect(screen.getByRole('alert')).toHaveTextContent(`Revoke expired (Databricks) is already running: started by func-host-2 at ${started}.`);
    expect(screen.getByRole('status')).toHaveTextContent(started);
    expect(screen.getByRole('button', { name: 'Run Revoke Job (2)' })).toBeDisabled();

    const statusCalls = api.callsTo(`GET ${base}/revoke-job-status`).length;
    await advance(3000);
    expect(api.callsTo(`GET ${base}/revoke-job-status`)).toHaveLength(statusCalls + 1);
    expect(screen.getByRole('status')).toBeInTheDocument();
    expect(api.callsTo(`GET ${base}/pending-expiry`)).toHaveLength(1);

    // The other job finishes and revoked both requests.
    api.set(`GET /api/databricks/jobs/${ACTIVE_JOB.jobId}`, () =>
      json({
        ...ACTIVE_JOB, status: 'Completed', completedAt: '2025-03-04T10:16:00Z', processedCount: 2, failedCount: 0,
        errorMessage: null, requestedBy: 'kim@example.com',
        result: { message: 'Revoked 2 expired requests.', jobId: ACTIVE_JOB.jobId, revokedCount: 2, revokedAt: '2025-03-04T10:16:00Z', lockLost: false },
      }),
    );
    state.status = UNLOCKED;
    state.expired = [];
    await advance(3000);
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(api.callsTo(`GET ${base}/pending-expiry`)).toHaveLength(2);
    expect(screen.getByRole('button', { name: 'Run Revoke Job (0)' })).toBeDisabled();
    // Then the page says that run has finished, links to it and shows what it did
    expect(screen.getByText(/The run started by func-host-2 has finished/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'See its result' })).toHaveAttribute('href', `/databricks/jobs/${ACTIVE_JOB.jobId}`);
    expect(screen.getByRole('region', { name: 'Last run' })).toHaveTextContent('Revoked 2 expired requests.');
  });

  it('re-enables the button after unlock when there is still work', async () => {
    vi.useFakeTimers();
    const { state } = revokeServer('databricks', { status: LOCKED, expired: TWO_EXPIRED });
    renderAt('/databricks/revoke');
    await advance();
    expect(screen.getByRole('button', { name: 'Run Revoke Job (2)' })).toBeDisabled();
    state.status = UNLOCKED;
    state.expired = [TWO_EXPIRED[0] as AccessRequest];
    await advance(3000);
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Run Revoke Job (1)' })).toBeEnabled();
  });

  it('on a 200 shows the result and refreshes the list (Palantir endpoints)', async () => {
    const { api, state, base } = revokeServer('palantir', { status: UNLOCKED, expired: [palantirRequest()] });
    api.set(`POST ${base}/revoke-expired`, () => {
      state.expired = [];
      return json({
        message: 'Revoked 1 expired request.',
        jobId: 'job-42',
        revokedCount: 1,
        revokedAt: '2025-03-04T10:16:00Z',
      });
    });
    const user = userEvent.setup();
    const button = await openReady('/palantir/revoke', 'Run Revoke Job (1)');
    await user.click(button);
    confirmAction('Revoke 1 expired request?');

    const result = await screen.findByRole('region', { name: 'Last run' });
    expect(result).toHaveTextContent('Revoked 1 expired request.');
    expect(result).toHaveTextContent('1 request');
    expect(result).toHaveTextContent('job-42');
    expect(await screen.findByRole('button', { name: 'Run Revoke Job (0)' })).toBeDisabled();
    expect(api.callsTo(`POST ${base}/revoke-expired`)).toHaveLength(1);
    expect(api.calls.every((c) => !c.path.startsWith('/api/databricks'))).toBe(true);
  });

  it("on a 202 says it started, shows the banner while it runs, then the run's result from its record", async () => {
    vi.useFakeTimers();
    const { api, state, base } = revokeServer('databricks', { status: UNLOCKED, expired: TWO_EXPIRED });
    const run = { jobId: 'job-7', jobType: 'RevokeExpiredDatabricks', startedAt: '2025-03-04T10:15:30Z', startedBy: 'func-host-2' };
    api.set(`POST ${base}/revoke-expired`, () => {
      state.status = { isLocked: true, activeJob: run };
      return json({ message: 'started', jobId: 'job-7', status: 'InProgress', statusUrl: '/api/databricks/jobs/job-7' }, 202, {
        Location: '/api/databricks/jobs/job-7',
      });
    });
    api.set('GET /api/databricks/jobs/job-7', () =>
      json({
        ...run, status: 'Completed', completedAt: '2025-03-04T10:16:00Z', processedCount: 2, failedCount: 0,
        errorMessage: null, requestedBy: 'kim@example.com',
        result: { message: 'Revoked 2 expired requests.', jobId: 'job-7', revokedCount: 2, revokedAt: '2025-03-04T10:16:00Z', lockLost: false },
      }),
    );
    renderAt('/databricks/revoke');
    await advance();

    fireEvent.click(screen.getByRole('button', { name: 'Run Revoke Job (2)' }));
    confirmAction('Revoke 2 expired requests?');
    await advance();

    expect(screen.getByText('Job started.')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Job is currently running — Started by func-host-2 at');
    expect(screen.getByRole('button', { name: 'Run Revoke Job (2)' })).toBeDisabled();
    expect(api.callsTo('GET /api/databricks/jobs/job-7')).toHaveLength(0);

    // The run finishes in the background.
    state.status = UNLOCKED;
    state.expired = [];
    await advance(3000);
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(screen.queryByText('Job started.')).not.toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Last run' })).toHaveTextContent('Revoked 2 expired requests.');
    expect(api.callsTo('GET /api/databricks/jobs/job-7')).toHaveLength(1);
  });

  it('says in words why the job did not run (403)', async () => {
    const { api, base } = revokeServer('databricks', { status: UNLOCKED, expired: TWO_EXPIRED });
    api.set(`POST ${base}/revoke-expired`, problem(403, 'Forbidden', { detail: 'Role access-admin is required.' }));
    const user = userEvent.setup();
    const button = await openReady('/databricks/revoke', 'Run Revoke Job (2)');
    await user.click(button);
    confirmAction('Revoke 2 expired requests?');
    expect(await screen.findByRole('alert')).toHaveTextContent('The job did not run. Forbidden: Role access-admin is required.');
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(button).toBeEnabled();
  });

  it('asks "Revoke 2 expired requests?" first; Cancel revokes nothing and gives focus back to the button', async () => {
    const { api, base } = revokeServer('databricks', { status: UNLOCKED, expired: TWO_EXPIRED });
    const user = userEvent.setup();
    const button = await openReady('/databricks/revoke', 'Run Revoke Job (2)');

    await user.click(button);
    const dialog = screen.getByRole('dialog', { name: 'Revoke 2 expired requests?' });
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(button).toHaveFocus();
    expect(api.callsTo(`POST ${base}/revoke-expired`)).toHaveLength(0);
  });

  it('shows a reader the button disabled with the role it needs, before any click', async () => {
    const { api, base } = revokeServer('databricks', { status: UNLOCKED, expired: TWO_EXPIRED });
    api.set('GET /api/me', json(READER_ME));
    renderAt('/databricks/revoke');

    const button = await screen.findByRole('button', { name: 'Run Revoke Job (2)' });
    await vi.waitFor(() => {
      expect(button).toHaveAccessibleDescription('This needs the access-admin role; you are signed in as a reader.');
    });
    expect(button).toBeDisabled();
    expect(screen.getByText('This needs the access-admin role; you are signed in as a reader.')).toBeVisible();
    expect(api.callsTo(`POST ${base}/revoke-expired`)).toHaveLength(0);
  });

  it('given the database is down, one failure shows one alert (not health, list and job status each)', async () => {
    const down = problem(503, 'Service Unavailable', { detail: 'The database is unreachable.' });
    mockApi({
      'GET /api/health': down,
      'GET /api/databricks/access-requests/revoke-job-status': down,
      'GET /api/databricks/access-requests/pending-expiry': down,
    });
    renderAt('/databricks/revoke');

    await screen.findByRole('alert');
    await vi.waitFor(() => {
      expect(screen.getByRole('button', { name: 'Run Revoke Job (0)' })).toHaveAccessibleDescription('The list could not be loaded.');
    });
    const alerts = screen.getAllByRole('alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toHaveTextContent('Service Unavailable: The database is unreachable.');
  });

  it('given a 200 without its counts, says the answer could not be used instead of "undefined requests"', async () => {
    const { api, base } = revokeServer('databricks', { status: UNLOCKED, expired: TWO_EXPIRED });
    api.set(`POST ${base}/revoke-expired`, json({ message: 'OK' }));
    const user = userEvent.setup();
    const button = await openReady('/databricks/revoke', 'Run Revoke Job (2)');

    await user.click(button);
    confirmAction('Revoke 2 expired requests?');

    expect(await screen.findByRole('alert')).toHaveTextContent(/The job did not run\. The API's answer was not the data this page needs \(no revokedCount\)/);
    expect(screen.queryByRole('region', { name: 'Last run' })).not.toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/undefined/);
  });
});
