import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { DateTime } from '../../../components/DateTime';
import { EmptyState, ErrorAlert, Loading } from '../../../components/Feedback';
import { PageHeader } from '../../../components/PageHeader';
import { StatusBadge } from '../../../components/StatusBadge';
import { durationBetween, formatDuration } from '../../../lib/format';
import type { Platform } from '../../../lib/platforms';
import { useResource } from '../../../lib/use-resource';
import { DataTable } from '../../requests/components/RequestsTable';
import { getJobRuns } from '../api/get-job-runs';
import { POLL_INTERVAL_MS } from '../hooks/use-job-lock';
import { jobTypeLabel, type JobRun } from '../types';
import { JobRunResult } from './JobRunResult';
import { JobRunsChart } from './JobRunsChart';

type KindFilter = 'all' | 'notification' | 'revoke';

function matches(run: JobRun, filter: KindFilter): boolean {
  if (filter === 'all') return true;
  return filter === 'notification' ? run.jobType.startsWith('ExpiryNotification') : run.jobType.startsWith('RevokeExpired');
}

/** Job History for one platform: recent runs of its two jobs, refreshed while one is in progress. */
export function JobHistoryPage({ platform }: { platform: Platform }) {
  const load = useCallback(
    async (signal: AbortSignal) => ({ runs: await getJobRuns(platform, signal), loadedAt: Date.now() }),
    [platform],
  );
  const list = useResource(load);
  const { reload } = list;
  const [filter, setFilter] = useState<KindFilter>('all');
  const [search] = useSearchParams();
  const shownRun = search.get('run');

  const allRuns = useMemo(() => list.data?.runs ?? [], [list.data]);
  const runs = useMemo(() => allRuns.filter((run) => matches(run, filter)), [allRuns, filter]);
  const anyRunning = allRuns.some((run) => run.status === 'InProgress');

  // While a run is in progress, re-read the history every 3 s so it shows the outcome.
  useEffect(() => {
    if (!anyRunning) return;
    const id = setInterval(reload, POLL_INTERVAL_MS);
    return () => {
      clearInterval(id);
    };
  }, [anyRunning, reload]);

  return (
    <>
      <PageHeader
        title="Job History"
        platform={platform}
        description="Recent runs of this platform's notification and revoke jobs, newest first."
        actions={
          <button type="button" className="button-secondary" onClick={reload} disabled={list.refreshing}>
            Refresh
          </button>
        }
      />
      <div className="field inline">
        <label htmlFor={`job-filter-${platform}`}>Job</label>
        <select
          id={`job-filter-${platform}`}
          value={filter}
          onChange={(event) => {
            setFilter(event.target.value as KindFilter);
          }}
        >
          <option value="all">All jobs</option>
          <option value="notification">Expiry notifications</option>
          <option value="revoke">Revoke expired</option>
        </select>
      </div>
      {shownRun ? <JobRunResult key={shownRun} platform={platform} jobId={shownRun} /> : null}
      {list.error !== undefined ? <ErrorAlert error={list.error} context="Could not load the job history" onRetry={reload} /> : null}
      {list.loading ? (
        <Loading>Loading job history…</Loading>
      ) : runs.length === 0 ? (
        list.error === undefined ? <EmptyState>No job runs yet.</EmptyState> : null
      ) : (
        <>
          <JobRunsChart runs={runs} now={list.data?.loadedAt ?? 0} />
          <DataTable<JobRun>
            caption="Recent job runs"
            items={runs}
            rowKey={(run) => run.jobId}
            busy={list.refreshing}
            rowClassName={(run) => (run.status === 'Failed' ? 'row-failed' : undefined)}
            columns={[
              { id: 'job', header: 'Job', cell: (run) => <>{jobTypeLabel(run.jobType)}<span className="sub mono">{run.jobId}</span></> },
              { id: 'status', header: 'Status', cell: (run) => <StatusBadge status={run.status} /> },
              { id: 'started', header: 'Started', cell: (run) => <DateTime value={run.startedAt} withSeconds /> },
              { id: 'requested', header: 'Requested by', cell: (run) => run.requestedBy ?? <span className="muted">—</span> },
              { id: 'by', header: 'Started by', cell: (run) => run.startedBy },
              {
                id: 'duration',
                header: 'Duration',
                cell: (run) => (run.completedAt ? formatDuration(durationBetween(run.startedAt, run.completedAt)) : <span className="muted">running</span>),
              },
              { id: 'processed', header: 'Processed', cell: (run) => run.processedCount ?? '—' },
              { id: 'failed', header: 'Failed', cell: (run) => run.failedCount ?? '—' },
              { id: 'error', header: 'Error', cell: (run) => (run.errorMessage ? <span className="error-text">{run.errorMessage}</span> : <span className="muted">—</span>) },
              {
                id: 'result',
                header: 'Result',
                cell: (run) =>
                  run.status === 'InProgress' ? (
                    <span className="muted">running</span>
                  ) : (
                    <Link to={`?run=${encodeURIComponent(run.jobId)}`} aria-label={`Result of run ${run.jobId}`}>
                      Result
                    </Link>
                  ),
              },
            ]}
          />
        </>
      )}
    </>
  );
}
