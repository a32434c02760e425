import { apiRequest } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import type { AccessRequest } from '../types';

/** `Expired`: Active and past its expiry (what the next revoke run takes). */
export type StatusFilter = 'Active' | 'Expired' | 'Revoked';

export type SortKey = 'created' | 'expires' | 'number';
/** `-` first: descending. */
export type Sort = SortKey | `-${SortKey}`;

export interface GetAccessRequestsParams {
  limit: number;
  /** Matches the request number and the requester's email or name (case-insensitive). */
  q?: string;
  status?: StatusFilter;
  expiresWithinDays?: number;
  sort?: Sort;
  /** Where the page starts: the X-Next-Cursor of the page before (absent: the first page). */
  cursor?: string;
}

export interface AccessRequestPage {
  items: AccessRequest[];
  /** How many match, from X-Total-Count (null when the server did not say). */
  total: number | null;
  /** The next page's cursor, from X-Next-Cursor; null on the last page. */
  nextCursor: string | null;
}

/**
 * GET /api/{p}/access-requests?limit=&q=&status=&expiresWithinDays=&sort=&cursor= — keyset paged: the
 * total of matches comes in X-Total-Count, the next page's cursor in X-Next-Cursor.
 */
export async function getAccessRequests(
  platform: Platform,
  { limit, q, status, expiresWithinDays, sort, cursor }: GetAccessRequestsParams,
  signal?: AbortSignal,
): Promise<AccessRequestPage> {
  const { data, headers } = await apiRequest<AccessRequest[]>(`/${platform}/access-requests`, {
    query: { limit, q: q || undefined, status, expiresWithinDays, sort, cursor },
    signal,
    expect: 'array',
  });
  const items = data;
  const total = Number(headers.get('X-Total-Count'));
  return {
    items,
    total: headers.has('X-Total-Count') && Number.isFinite(total) ? total : null,
    nextCursor: headers.get('X-Next-Cursor') || null,
  };
}
