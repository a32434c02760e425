import { useCallback } from 'react';
import { Link, useParams } from 'react-router';
import { DateTime } from '../../../components/DateTime';
import { ErrorAlert, Loading, Notice } from '../../../components/Feedback';
import { PageHeader } from '../../../components/PageHeader';
import { durationBetween, formatDuration } from '../../../lib/format';
import type { Platform } from '../../../lib/platforms';
import { useResource } from '../../../lib/use-resource';
import { readNotificationResult, type NotificationJobResult } from '../../notifications/api/send-expiry-notifications';
import { NotificationResultView } from '../../notifications/components/NotificationResultView';
import type { RevokeResult } from '../../revoke/api/revoke-expired';
import { RevokeResultView } from '../../revoke/components/RevokeResultView';
import { getJobRun } from '../api/get-job-run';
import { useReloadWhile } from '../hooks/use-reload-while';
import { jobTypeLabel } from '../types';
import { RunStatusBadge } from './RunStatusBadge';

/**
 * One run (/{p}/jobs/{jobId}), from GET /api/{p}/jobs/{jobId}: who asked, its status and times, and
 * every outcome, a page at a time. A run still in progress is read again every 3 s until it ends.
 */
export function JobRunPage({ platform }: { platform: Platform }) {
  const { jobId = '' } = useParams();
  const load = useCallback(
    (signal: AbortSignal) => getJobRun<NotificationJobResult | RevokeResult>(platform, jobId, signal),
    [platform, jobId],
  );
  const run = useResource(load);
  const { reload } = run;
  const running = run.data?.status === 'InProgress';

  useReloadWhile(running, reload);

  const data = run.data;
  return (
    <>
      <PageHeader
        title={data ? `${jobTypeLabel(data.jobType)} run` : 'Job run'}
        platform={platform}
        description={<Link to={`/${platform}/jobs`}>← Back to Job History</Link>}
        actions={
          <button type="button" className="button-secondary" onClick={reload} disabled={run.refreshing}>
            Refresh
          </button>
        }
      />
      {run.error !== undefined ? <ErrorAlert error={run.error} context="Could not load the run" onRetry={reload} /> : null}
      {run.loading ? <Loading>Loading the run…</Loading> : null}
      {data ? (
        <>
          <dl className="stats run-facts">
            <div>
              <dt>Status</dt>
              <dd>
                <RunStatusBadge status={data.status} failedCount={data.failedCount} />
              </dd>
            </div>
            <div>
              <dt>Requested by</dt>
              <dd>{data.requestedBy ?? <span className="muted">unknown</span>}</dd>
            </div>
            <div>
              <dt>Run by (server)</dt>
              <dd>{data.startedBy}</dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>
                <DateTime value={data.startedAt} withSeconds />
              </dd>
            </div>
            <div>
              <dt>Ended</dt>
              <dd>{data.completedAt ? <DateTime value={data.completedAt} withSeconds /> : <span className="muted">still running</span>}</dd>
            </div>
            <div>
              <dt>Duration</dt>
              <dd>{formatDuration(durationBetween(data.startedAt, data.completedAt))}</dd>
            </div>
            <div>
              <dt>Processed</dt>
              <dd>{data.processedCount ?? '—'}</dd>
            </div>
            <div>
              <dt>Failed</dt>
              <dd>{data.failedCount ?? '—'}</dd>
            </div>
            <div>
              <dt>Job ID</dt>
              <dd className="mono">{data.jobId}</dd>
            </div>
          </dl>
          {data.errorMessage ? (
            <div className="alert alert-error">
              <p>
                <strong>The run failed: </strong>
                {data.errorMessage}
              </p>
            </div>
          ) : null}
          {data.result === null ? (
            <Notice tone="info">
              <p>This run is still in progress; its outcomes appear once it finishes.</p>
            </Notice>
          ) : 'revokedCount' in data.result ? (
            <RevokeResultView result={data.result} heading="Outcome" />
          ) : (
            <NotificationResultView result={readNotificationResult(data.result)} heading="Outcome" />
          )}
        </>
      ) : null}
    </>
  );
}
