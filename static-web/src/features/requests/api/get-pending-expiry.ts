import { apiRequest } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import type { AccessRequest } from '../types';

/** GET /api/{p}/access-requests/pending-expiry — Active requests already past expiry. */
export async function getPendingExpiry(platform: Platform, signal?: AbortSignal): Promise<AccessRequest[]> {
  const { data } = await apiRequest<AccessRequest[]>(`/${platform}/access-requests/pending-expiry`, {
    signal,
    expect: 'array',
  });
  return data;
}
