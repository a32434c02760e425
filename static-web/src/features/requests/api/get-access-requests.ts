import { apiRequest } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import type { AccessRequest, RequestPage } from '../types';

export interface GetAccessRequestsParams {
  limit: number;
  offset: number;
}

/** GET /api/{p}/access-requests?limit=&offset= — the total comes from the X-Total-Count header. */
export async function getAccessRequests(
  platform: Platform,
  { limit, offset }: GetAccessRequestsParams,
  signal?: AbortSignal,
): Promise<RequestPage<AccessRequest>> {
  const { data, headers } = await apiRequest<AccessRequest[]>(`/${platform}/access-requests`, {
    query: { limit, offset },
    signal,
    expect: 'array',
  });
  const items = data;
  const header = Number(headers.get('X-Total-Count'));
  const total = Number.isFinite(header) && headers.has('X-Total-Count') ? header : offset + items.length;
  return { items, total };
}
