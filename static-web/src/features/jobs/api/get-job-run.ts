import { apiRequest } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import type { JobRunDetail } from '../types';

/** GET /api/{p}/jobs/{jobId} — one run with who asked and, once it has finished, its result. */
export async function getJobRun<R>(platform: Platform, jobId: string, signal?: AbortSignal): Promise<JobRunDetail<R>> {
  const { data } = await apiRequest<JobRunDetail<R>>(`/${platform}/jobs/${encodeURIComponent(jobId)}`, { signal });
  return data;
}

/** A finished run's result (read as its 200 would be), or null while it still runs. */
export async function getJobRunResult<R>(
  platform: Platform,
  jobId: string,
  readResult: (data: R) => R,
): Promise<R | null> {
  const { result } = await getJobRun<R>(platform, jobId);
  return result === null ? null : readResult(result);
}
