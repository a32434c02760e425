import type { GetAccessRequestsParams, Sort, StatusFilter } from './api/get-access-requests';

/**
 * All Requests' state in the URL's search parameters, so a reload, a shared link and Back show the
 * same page: q, status, within (days), sort, size, cursor (where this page starts) and prev (the
 * cursors of the pages before, oldest first; '' is the first page), which Previous pops.
 */
export interface ListQuery {
  q: string;
  status: StatusFilter | null;
  within: number | null;
  sort: Sort | null;
  size: number;
  cursor: string | null;
  prev: string[];
}

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 100;
export const STATUS_FILTERS: readonly StatusFilter[] = ['Active', 'Expired', 'Revoked'];
export const WITHIN_DAYS = [7, 14, 30, 90] as const;
/** In the order the Sort select offers them; the first is the server's default. */
export const SORTS: readonly Sort[] = ['-created', 'created', 'expires', '-expires', 'number', '-number'];

function oneOf<T extends string | number>(values: readonly T[], raw: unknown): T | null {
  return values.find((value) => String(value) === raw) ?? null;
}

export function readListQuery(params: URLSearchParams): ListQuery {
  const within = Number(params.get('within'));
  return {
    q: (params.get('q') ?? '').trim(),
    status: oneOf(STATUS_FILTERS, params.get('status')),
    within: Number.isInteger(within) && within > 0 ? within : null,
    sort: oneOf(SORTS, params.get('sort')),
    size: oneOf(PAGE_SIZES, params.get('size')) ?? DEFAULT_PAGE_SIZE,
    cursor: params.get('cursor') || null,
    prev: params.getAll('prev'),
  };
}

export function writeListQuery(query: ListQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.status) params.set('status', query.status);
  if (query.within !== null) params.set('within', String(query.within));
  if (query.sort) params.set('sort', query.sort);
  if (query.size !== DEFAULT_PAGE_SIZE) params.set('size', String(query.size));
  if (query.cursor) params.set('cursor', query.cursor);
  for (const cursor of query.prev) params.append('prev', cursor);
  return params;
}

/** A changed filter, sort or page size starts again from the first page. */
export function withFilters(query: ListQuery, change: Partial<Omit<ListQuery, 'cursor' | 'prev'>>): ListQuery {
  return { ...query, ...change, cursor: null, prev: [] };
}

export function nextPage(query: ListQuery, nextCursor: string): ListQuery {
  return { ...query, cursor: nextCursor, prev: [...query.prev, query.cursor ?? ''] };
}

export function previousPage(query: ListQuery): ListQuery {
  const prev = query.prev.slice(0, -1);
  const cursor = query.prev.at(-1);
  return { ...query, cursor: cursor ? cursor : null, prev };
}

export function hasFilters(query: ListQuery): boolean {
  return query.q !== '' || query.status !== null || query.within !== null;
}

export function fetchParams(query: ListQuery): GetAccessRequestsParams {
  return {
    limit: query.size,
    q: query.q || undefined,
    status: query.status ?? undefined,
    expiresWithinDays: query.within ?? undefined,
    sort: query.sort ?? undefined,
    cursor: query.cursor ?? undefined,
  };
}
