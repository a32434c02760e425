import { apiRequest, unexpectedAnswer } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import { jobAnswer } from '../../jobs/api/job-answer';
import type { JobAnswer, JobStarted } from '../../jobs/types';

export interface RevokedRequest {
  requestId: string | number;
  /** What people know the request by: its request number (Databricks) or project (Palantir). */
  requestLabel?: string | null;
  email: string;
}

export interface RevokeResult {
  message: string;
  jobId: string;
  revokedCount: number;
  revokedAt: string | null;
  lockLost?: boolean;
  /** What the run revoked (absent from older APIs). */
  revoked?: RevokedRequest[];
}

/**
 * POST /api/{p}/access-requests/revoke-expired — 200 with the result, 202 when the run goes on in
 * the background, 409 (ApiError) when already running.
 */
export async function revokeExpired(platform: Platform): Promise<JobAnswer<RevokeResult>> {
  const response = await apiRequest<RevokeResult | JobStarted>(`/${platform}/access-requests/revoke-expired`, {
    method: 'POST',
  });
  return jobAnswer(response, readRevokeResult);
}

/** The result, whichever answer (the 200, or the run's record) carried it; never "undefined requests". */
export function readRevokeResult(data: RevokeResult): RevokeResult {
  if (typeof data.revokedCount !== 'number') throw unexpectedAnswer(200, 'no revokedCount');
  return data;
}
