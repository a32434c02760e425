import { apiRequest } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import type { PendingNotification } from '../../requests/types';

/** GET /api/{p}/access-requests/pending-notifications — requests that need a reminder now. */
export async function getPendingNotifications(
  platform: Platform,
  signal?: AbortSignal,
): Promise<PendingNotification[]> {
  const { data } = await apiRequest<PendingNotification[]>(`/${platform}/access-requests/pending-notifications`, {
    signal,
    expect: 'array',
  });
  return data;
}
