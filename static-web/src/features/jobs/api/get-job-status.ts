import { apiRequest, unexpectedAnswer } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import type { JobKind, JobStatus } from '../types';

const STATUS_PATH: Record<JobKind, string> = {
  notification: 'notification-job-status',
  revoke: 'revoke-job-status',
};

/**
 * GET /api/{p}/access-requests/notification-job-status or .../revoke-job-status:
 * whether this platform's job of this kind holds the database lock right now.
 */
export async function getJobStatus(platform: Platform, kind: JobKind, signal?: AbortSignal): Promise<JobStatus> {
  const { data, status } = await apiRequest<Partial<JobStatus>>(`/${platform}/access-requests/${STATUS_PATH[kind]}`, {
    signal,
  });
  // The poll decides from this whether a job runs: a wrong shape must not read as "not running".
  if (typeof data.isLocked !== 'boolean') throw unexpectedAnswer(status, 'no isLocked');
  return { isLocked: data.isLocked, activeJob: data.activeJob ?? null };
}
