import type { ActiveJob } from '../../lib/api-client';
import { formatLocal } from '../../lib/format';
import { PLATFORM_LABELS, PLATFORMS } from '../../lib/platforms';

export type { ActiveJob };

/** Which of a platform's two jobs a page drives. */
export type JobKind = 'notification' | 'revoke';

export interface JobStatus {
  isLocked: boolean;
  activeJob: ActiveJob | null;
}

export type JobRunStatus = 'InProgress' | 'Completed' | 'Failed';

export interface JobRun {
  jobId: string;
  jobType: string;
  status: JobRunStatus;
  startedAt: string;
  startedBy: string;
  completedAt: string | null;
  processedCount: number | null;
  failedCount: number | null;
  errorMessage: string | null;
  /** Who asked for the run: the signed-in user's name, or "(timer)". */
  requestedBy?: string | null;
}

/** GET /api/{p}/jobs/{jobId}: the run, and its result once it has finished (null while it runs). */
export interface JobRunDetail<R> extends JobRun {
  requestedBy: string | null;
  result: R | null;
}

/** A 202: the run was started and is still going; its result comes from statusUrl. */
export interface JobStarted {
  message: string;
  jobId: string;
  status: 'InProgress';
  statusUrl: string;
}

/** What a job POST answered: the result (200), or that the run goes on in the background (202). */
export type JobAnswer<R> = { finished: true; result: R } | { finished: false; started: JobStarted };

const JOB_TYPE_LABELS: Record<string, string> = {
  ExpiryNotificationDatabricks: 'Expiry notifications',
  ExpiryNotificationPalantir: 'Expiry notifications',
  RevokeExpiredDatabricks: 'Revoke expired',
  RevokeExpiredPalantir: 'Revoke expired',
};

export function jobTypeLabel(jobType: string): string {
  return JOB_TYPE_LABELS[jobType] ?? jobType;
}

/** The job type for people, with its platform: RevokeExpiredPalantir → "Revoke expired (Palantir)". */
export function jobTypeName(jobType: string): string {
  const platform = PLATFORMS.find((p) => jobType.endsWith(PLATFORM_LABELS[p]));
  return platform ? `${jobTypeLabel(jobType)} (${PLATFORM_LABELS[platform]})` : jobTypeLabel(jobType);
}

/** A 409's words, with the time as the running-job banner shows it (local time, seconds). */
export function alreadyRunningMessage(job: ActiveJob): string {
  const when = job.startedAt ? ` at ${formatLocal(job.startedAt, true)}` : '';
  return `${jobTypeName(job.jobType)} is already running: started by ${job.startedBy || 'another server'}${when}.`;
}

/** A run that completed but some of whose items failed: not the green "Completed" of a clean run. */
export const COMPLETED_WITH_FAILURES = 'Completed with failures';
