import { useCallback } from 'react';
import { ErrorAlert, Loading, Notice } from '../../../components/Feedback';
import type { Platform } from '../../../lib/platforms';
import { useResource } from '../../../lib/use-resource';
import { readNotificationResult, type NotificationJobResult } from '../../notifications/api/send-expiry-notifications';
import { NotificationResultView } from '../../notifications/components/NotificationResultView';
import type { RevokeResult } from '../../revoke/api/revoke-expired';
import { RevokeResultView } from '../../revoke/components/RevokeResultView';
import { getJobRun } from '../api/get-job-run';
import { jobTypeLabel } from '../types';

/** One finished run's result, as its 200 would have shown it, from GET /api/{p}/jobs/{jobId}. */
export function JobRunResult({ platform, jobId }: { platform: Platform; jobId: string }) {
  const load = useCallback(
    (signal: AbortSignal) => getJobRun<NotificationJobResult | RevokeResult>(platform, jobId, signal),
    [platform, jobId],
  );
  const run = useResource(load);
  if (run.loading) return <Loading>Loading the run's result…</Loading>;
  if (run.error !== undefined || !run.data) return <ErrorAlert error={run.error} context="Could not load the run's result" />;
  const { data } = run;
  return (
    <section aria-label={`Run ${data.jobId}`}>
      <p>
        {jobTypeLabel(data.jobType)} run <span className="mono">{data.jobId}</span>, requested by{' '}
        {data.requestedBy ?? 'unknown'}.
      </p>
      {data.result === null ? (
        <Notice tone="info">
          <p>This run is still in progress; its result appears once it finishes.</p>
        </Notice>
      ) : 'revokedCount' in data.result ? (
        <RevokeResultView result={data.result} />
      ) : (
        <NotificationResultView result={readNotificationResult(data.result)} />
      )}
    </section>
  );
}
