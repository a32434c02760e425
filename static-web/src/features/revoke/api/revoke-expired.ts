import { apiRequest } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';

export interface RevokeResult {
  message: string;
  jobId: string;
  revokedCount: number;
  revokedAt: string | null;
  lockLost?: boolean;
}

/** POST /api/{p}/access-requests/revoke-expired — 200 with the result, 409 (ApiError) when already running. */
export async function revokeExpired(platform: Platform): Promise<RevokeResult> {
  const { data } = await apiRequest<RevokeResult>(`/${platform}/access-requests/revoke-expired`, { method: 'POST' });
  return data;
}
