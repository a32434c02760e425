import { apiRequest } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import type { JobRun } from '../types';

/** GET /api/{p}/jobs — recent runs of this platform's two job types, newest first. */
export async function getJobRuns(platform: Platform, signal?: AbortSignal): Promise<JobRun[]> {
  const { data } = await apiRequest<JobRun[]>(`/${platform}/jobs`, { signal, expect: 'array' });
  return data;
}
