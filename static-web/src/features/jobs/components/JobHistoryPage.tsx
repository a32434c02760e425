import { useCallback, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { DateTime } from '../../../components/DateTime';
import { EmptyState, ErrorAlert, Loading } from '../../../components/Feedback';
import { PageHeader } from '../../../components/PageHeader';
import { LongText } from '../../../components/LongText';
import { Pager } from '../../../components/Pager';
import { durationBetween, formatDuration } from '../../../lib/format';
import type { Platform } from '../../../lib/platforms';
import { useResource } from '../../../lib/use-resource';
import { DataTable } from '../../requests/components/RequestsTable';
import { getJobRuns } from '../api/get-job-runs';
import { useReloadWhile } from '../hooks/use-reload-while';
import { jobTypeLabel, type JobRun } from '../types';
import { JobRunsChart } from './JobRunsChart';
import { RunStatusBadge } from './RunStatusBadge';

/** Runs a page; the endpoint pages by limit and offset. */
export const RUNS_PAGE_SIZE = 50;

type KindFilter = 'all' | 'notification' | 'revoke';

function matches(run: JobRun, filter: KindFilter): boolean {
  if (filter === 'all') return true;
  return filter === 'notification' ? run.jobType.startsWith('ExpiryNotification') : run.jobType.startsWith('RevokeExpired');
}

/**
 * Job History for one platform: its two jobs' runs, newest first, 50 a page (the page is in the URL),
 * refreshed while one is in progress. Each run opens its own page (/{p}/jobs/{jobId}).
 */
export function JobHistoryPage({ platform }: { platform: Platform }) {
  const [search, setSearch] = useSearchParams();
  const pageParam = Number(search.get('page') ?? '1');
  const page = Number.isInteger(pageParam) && pageParam > 0 ? pageParam : 1;
  const offset = (page - 1) * RUNS_PAGE_SIZE;
  const load = useCallback(
    async (signal: AbortSignal) => ({
      // One more than a page: whether there is a next page, without a count.
      runs: await getJobRuns(platform, { limit: RUNS_PAGE_SIZE + 1, offset }, signal),
      loadedAt: Date.now(),
    }),
    [platform, offset],
  );
  const list = useResource(load);
  const { reload } = list;
  const [filter, setFilter] = useState<KindFilter>('all');

  const allRuns = useMemo(() => (list.data?.runs ?? []).slice(0, RUNS_PAGE_SIZE), [list.data]);
  const hasNext = (list.data?.runs.length ?? 0) > RUNS_PAGE_SIZE;
  const pager = (where: string) =>
    page > 1 || hasNext ? (
      <Pager
        label={`Pages of job runs, ${where}`}
        summary={`Page ${String(page)}: runs ${String(offset + 1)}–${String(offset + allRuns.length)}`}
        hasPrevious={page > 1}
        hasNext={hasNext}
        busy={list.refreshing}
        onPrevious={() => {
          setSearch(page - 1 <= 1 ? {} : { page: String(page - 1) });
        }}
        onNext={() => {
          setSearch({ page: String(page + 1) });
        }}
      />
    ) : null;
  const runs = useMemo(() => allRuns.filter((run) => matches(run, filter)), [allRuns, filter]);
  const anyRunning = allRuns.some((run) => run.status === 'InProgress');

  // While a run is in progress, re-read the history so it shows the outcome.
  useReloadWhile(anyRunning, reload);

  return (
    <>
      <PageHeader
        title="Job History"
        platform={platform}
        description="Runs of this platform's notification and revoke jobs, newest first. Open a run for who asked and every outcome."
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
      {list.error !== undefined ? <ErrorAlert error={list.error} context="Could not load the job history" onRetry={reload} /> : null}
      {list.loading ? (
        <Loading>Loading job history…</Loading>
      ) : runs.length === 0 ? (
        list.error === undefined ? <EmptyState>No job runs yet.</EmptyState> : null
      ) : (
        <>
          <JobRunsChart runs={runs} now={list.data?.loadedAt ?? 0} />
          {pager('top')}
          <DataTable<JobRun>
            caption="Recent job runs"
            items={runs}
            rowKey={(run) => run.jobId}
            busy={list.refreshing}
            rowClassName={(run) => (run.status === 'Failed' ? 'row-failed' : undefined)}
            columns={[
              {
                id: 'job',
                header: 'Job',
                cell: (run) => (
                  <>
                    <Link to={`/${platform}/jobs/${encodeURIComponent(run.jobId)}`} aria-label={`Run ${run.jobId}: ${jobTypeLabel(run.jobType)}`}>
                      {jobTypeLabel(run.jobType)}
                    </Link>
                    <span className="sub mono clipped" title={run.jobId}>
                      {run.jobId}
                    </span>
                  </>
                ),
              },
              { id: 'status', header: 'Status', cell: (run) => <RunStatusBadge status={run.status} failedCount={run.failedCount} /> },
              { id: 'started', header: 'Started', cell: (run) => <DateTime value={run.startedAt} withSeconds /> },
              { id: 'requested', header: 'Requested by', cell: (run) => run.requestedBy ?? <span className="muted">—</span> },
              { id: 'by', header: 'Run by', cell: (run) => run.startedBy },
              {
                id: 'duration',
                header: 'Duration',
                cell: (run) => (run.completedAt ? formatDuration(durationBetween(run.startedAt, run.completedAt)) : <span className="muted">running</span>),
              },
              { id: 'processed', header: 'Processed', cell: (run) => run.processedCount ?? '—' },
              { id: 'failed', header: 'Failed', cell: (run) => run.failedCount ?? '—' },
              { id: 'error', header: 'Error', cell: (run) => (run.errorMessage ? <span className="error-text"><LongText text={run.errorMessage} what="error" /></span> : <span className="muted">—</span>) },
            ]}
          />
          {pager('bottom')}
        </>
      )}
    </>
  );
}
