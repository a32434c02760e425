import { apiRequest } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import type { JobRun } from '../types';

export interface JobRunsPage {
  limit: number;
  offset: number;
}

/** GET /api/{p}/jobs?limit=&offset= — runs of this platform's two job types, newest first. */
export async function getJobRuns(platform: Platform, { limit, offset }: JobRunsPage, signal?: AbortSignal): Promise<JobRun[]> {
  const { data } = await apiRequest<JobRun[]>(`/${platform}/jobs`, { query: { limit, offset }, signal, expect: 'array' });
  return data;
}
