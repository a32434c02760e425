import { useCallback, useId, useMemo, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { EmptyState, ErrorAlert, Loading, Notice } from '../../../components/Feedback';
import { PageHeader } from '../../../components/PageHeader';
import { useAdminRefusal } from '../../identity/components/IdentityProvider';
import { Pager } from '../../../components/Pager';
import { PLATFORM_LABELS, type Platform } from '../../../lib/platforms';
import { useResource } from '../../../lib/use-resource';
import { getAccessRequests, type Sort, type StatusFilter } from '../api/get-access-requests';
import {
  fetchParams,
  hasFilters,
  nextPage,
  PAGE_SIZES,
  previousPage,
  readListQuery,
  SORTS,
  STATUS_FILTERS,
  withFilters,
  WITHIN_DAYS,
  writeListQuery,
  type ListQuery,
} from '../list-query';
import { AWAITING_REVOKE, requestLabel, type AccessRequest } from '../types';
import { RequestsTable, type SortState } from './RequestsTable';

/** What the Create Request page hands over after a 201 (router location state). */
export interface CreatedState {
  created: AccessRequest;
}

function isCreatedState(value: unknown): value is CreatedState {
  return typeof value === 'object' && value !== null && 'created' in value;
}

const STATUS_LABELS: Record<StatusFilter, string> = {
  Active: 'Active',
  Expired: AWAITING_REVOKE,
  Revoked: 'Revoked',
};

function sortLabel(sort: Sort, platform: Platform): string {
  const number = platform === 'databricks' ? 'Request number' : 'Project';
  const labels: Record<Sort, string> = {
    created: 'Oldest first',
    '-created': 'Newest first',
    expires: 'Expiry, soonest first',
    '-expires': 'Expiry, latest first',
    number: `${number}, A to Z`,
    '-number': `${number}, Z to A`,
  };
  return labels[sort];
}

/** The header cell the order is announced on; no sort asked for is the server's newest first. */
function sortState(sort: Sort | null, platform: Platform): SortState {
  const value = sort ?? '-created';
  const key = value.replace(/^-/, '');
  const column = key === 'number' ? (platform === 'databricks' ? 'request' : 'project') : key;
  return { column, direction: value.startsWith('-') ? 'descending' : 'ascending' };
}

/**
 * All Requests for one platform: searched, filtered, sorted and paged by the server (keyset paging:
 * Next follows X-Next-Cursor, Previous pops the cursors of the pages before), all of it in the URL.
 */
export function AllRequestsPage({ platform }: { platform: Platform }) {
  const [searchParams, setSearchParams] = useSearchParams();
  const location = useLocation();
  const refusal = useAdminRefusal();
  const created = isCreatedState(location.state) ? location.state.created : null;
  const id = useId();
  // A new object only when the URL changes, so the list is fetched again only then.
  const query = useMemo(() => readListQuery(searchParams), [searchParams]);
  const load = useCallback(
    (signal: AbortSignal) => getAccessRequests(platform, fetchParams(query), signal),
    [platform, query],
  );
  const list = useResource(load);
  const items = list.data?.items ?? [];
  const total = list.data?.total ?? null;
  const nextCursor = list.data?.nextCursor ?? null;
  const page = query.prev.length + 1;
  const first = query.prev.length * query.size + 1;

  const go = (next: ListQuery) => {
    setSearchParams(writeListQuery(next));
  };

  const summary =
    items.length === 0
      ? `Page ${String(page)}`
      : `Page ${String(page)}${total === null ? '' : ` of ${String(Math.max(1, Math.ceil(total / query.size)))}`}: ` +
        `${String(first)}–${String(first + items.length - 1)}${total === null ? '' : ` of ${String(total)}`}`;
  const pager = (where: string) =>
    page > 1 || nextCursor !== null ? (
      <Pager
        label={`Pages of requests, ${where}`}
        summary={summary}
        hasPrevious={page > 1}
        hasNext={nextCursor !== null}
        busy={list.refreshing}
        onPrevious={() => {
          go(previousPage(query));
        }}
        onNext={() => {
          if (nextCursor !== null) go(nextPage(query, nextCursor));
        }}
      />
    ) : null;

  return (
    <>
      <PageHeader
        title="All Requests"
        platform={platform}
        description="Every access request, with its expiry, the reminders sent and, once revoked, when and by whom."
        actions={
          <>
            <button type="button" className="button-secondary" onClick={list.reload} disabled={list.refreshing}>
              Refresh
            </button>
            {/* A reader cannot create: the page itself says why (it is still in the navigation) */}
            {refusal === null ? (
              <Link className="button-primary" to={`/${platform}/requests/new`}>
                New request
              </Link>
            ) : null}
          </>
        }
      />
      {created ? (
        <Notice>
          <p>
            <strong>Created {requestLabel(created)}</strong> for {created.requestedByEmail}.
          </p>
          <RequestsTable
            platform={platform}
            caption="The request you just created"
            items={[created]}
            columns={['status', 'expires', 'type', 'created']}
          />
        </Notice>
      ) : null}
      <ListFilters
        key={query.q}
        platform={platform}
        query={query}
        idPrefix={id}
        onChange={(change) => {
          go(withFilters(query, change));
        }}
      />
      {list.error !== undefined ? (
        <ErrorAlert error={list.error} context="Could not load the requests" onRetry={list.reload} />
      ) : null}
      {list.loading ? (
        <Loading>Loading requests…</Loading>
      ) : items.length === 0 ? (
        list.error === undefined ? (
          <EmptyState>
            {hasFilters(query) ? (
              <>
                No requests match these filters.{' '}
                <Link to={`/${platform}/requests`}>Show all requests</Link>.
              </>
            ) : page > 1 ? (
              'No requests on this page.'
            ) : (
              <>
                No requests yet. <Link to={`/${platform}/requests/new`}>Create one</Link>.
              </>
            )}
          </EmptyState>
        ) : null
      ) : (
        <>
          {pager('top')}
          <RequestsTable
            platform={platform}
            caption={`All ${PLATFORM_LABELS[platform]} requests`}
            items={items}
            columns={['status', 'expires', 'requestedBy', 'type', 'justification', 'created', 'notifications', 'revoked']}
            busy={list.refreshing}
            sort={sortState(query.sort, platform)}
          />
          {pager('bottom')}
        </>
      )}
    </>
  );
}

interface ListFiltersProps {
  platform: Platform;
  query: ListQuery;
  idPrefix: string;
  onChange: (change: Partial<Pick<ListQuery, 'q' | 'status' | 'within' | 'sort' | 'size'>>) => void;
}

/** Search (sent when submitted, not on every key), filters, order and page size. */
function ListFilters({ platform, query, idPrefix, onChange }: ListFiltersProps) {
  const [draft, setDraft] = useState(query.q);
  const searchHint = platform === 'databricks' ? 'Request number, requester email or name' : 'Project or requester email';
  return (
    <form
      className="list-filters"
      role="search"
      aria-label="Search and filter requests"
      onSubmit={(event) => {
        event.preventDefault();
        onChange({ q: draft.trim() });
      }}
    >
      <div className="field">
        <label htmlFor={`${idPrefix}-q`}>Search</label>
        <div className="search-row">
          <input
            id={`${idPrefix}-q`}
            type="search"
            value={draft}
            aria-describedby={`${idPrefix}-q-hint`}
            onChange={(event) => {
              setDraft(event.target.value);
            }}
          />
          <button type="submit" className="button-secondary">
            Search
          </button>
        </div>
        <span id={`${idPrefix}-q-hint`} className="hint">
          {searchHint}
        </span>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-status`}>Status</label>
        <select
          id={`${idPrefix}-status`}
          value={query.status ?? ''}
          onChange={(event) => {
            onChange({ status: STATUS_FILTERS.find((s) => s === event.target.value) ?? null });
          }}
        >
          <option value="">Any status</option>
          {STATUS_FILTERS.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-within`}>Expiring within</label>
        <select
          id={`${idPrefix}-within`}
          value={query.within === null ? '' : String(query.within)}
          onChange={(event) => {
            const days = Number(event.target.value);
            onChange({ within: event.target.value === '' ? null : days });
          }}
        >
          <option value="">Any time</option>
          {[...new Set([...WITHIN_DAYS, ...(query.within === null ? [] : [query.within])])]
            .sort((a, b) => a - b)
            .map((days) => (
              <option key={days} value={days}>
                {days} days
              </option>
            ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-sort`}>Sort by</label>
        <select
          id={`${idPrefix}-sort`}
          value={query.sort ?? '-created'}
          onChange={(event) => {
            const sort = SORTS.find((s) => s === event.target.value) ?? null;
            onChange({ sort: sort === '-created' ? null : sort });
          }}
        >
          {SORTS.map((sort) => (
            <option key={sort} value={sort}>
              {sortLabel(sort, platform)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-size`}>Per page</label>
        <select
          id={`${idPrefix}-size`}
          value={query.size}
          onChange={(event) => {
            onChange({ size: Number(event.target.value) });
          }}
        >
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </div>
    </form>
  );
}
