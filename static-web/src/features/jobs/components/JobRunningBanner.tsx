import { DateTime } from '../../../components/DateTime';
import type { ActiveJob } from '../types';

/**
 * The yellow, pulsing banner shown while this page's job holds the lock (SPEC Flow 3, DESIGN §7).
 * Its role="status" and the words "Job is currently running" are a contract with the end-to-end tests.
 */
export function JobRunningBanner({ activeJob }: { activeJob: ActiveJob | null }) {
  return (
    <div role="status" className="job-banner">
      <p className="job-banner-title">
        <strong>Job is currently running</strong> — Started by {activeJob?.startedBy || 'another server'} at{' '}
        {activeJob?.startedAt ? <DateTime value={activeJob.startedAt} withSeconds /> : 'an unknown time'}
      </p>
      <p className="job-banner-hint">The button is disabled. This page will auto-refresh when the job completes.</p>
      {activeJob?.jobId ? <p className="job-banner-id sub mono">Job {activeJob.jobId}</p> : null}
    </div>
  );
}
