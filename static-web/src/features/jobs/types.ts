import type { ActiveJob } from '../../lib/api-client';

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
}

const JOB_TYPE_LABELS: Record<string, string> = {
  ExpiryNotificationDatabricks: 'Expiry notifications',
  ExpiryNotificationPalantir: 'Expiry notifications',
  RevokeExpiredDatabricks: 'Revoke expired',
  RevokeExpiredPalantir: 'Revoke expired',
};

export function jobTypeLabel(jobType: string): string {
  return JOB_TYPE_LABELS[jobType] ?? jobType;
}
