import { apiRequest } from '../../../lib/api-client';
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
  const { data } = await apiRequest<Partial<JobStatus> | null>(
    `/${platform}/access-requests/${STATUS_PATH[kind]}`,
    { signal },
  );
  return { isLocked: data?.isLocked === true, activeJob: data?.activeJob ?? null };
}
