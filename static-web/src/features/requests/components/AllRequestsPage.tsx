import { useCallback } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { EmptyState, ErrorAlert, Loading, Notice } from '../../../components/Feedback';
import { PageHeader } from '../../../components/PageHeader';
import { PLATFORM_LABELS, type Platform } from '../../../lib/platforms';
import { useResource } from '../../../lib/use-resource';
import { getAccessRequests } from '../api/get-access-requests';
import { requestLabel, type AccessRequest } from '../types';
import { RequestsTable } from './RequestsTable';

export const PAGE_SIZE = 100;

/** What the Create Request page hands over after a 201 (router location state). */
export interface CreatedState {
  created: AccessRequest;
}

function isCreatedState(value: unknown): value is CreatedState {
  return typeof value === 'object' && value !== null && 'created' in value;
}

/** All Requests for one platform, with revocation and notification info, paged by X-Total-Count. */
export function AllRequestsPage({ platform }: { platform: Platform }) {
  const [searchParams, setSearchParams] = useSearchParams();
  const location = useLocation();
  const created = isCreatedState(location.state) ? location.state.created : null;

  const pageParam = Number(searchParams.get('page') ?? '1');
  const page = Number.isInteger(pageParam) && pageParam > 0 ? pageParam : 1;
  const offset = (page - 1) * PAGE_SIZE;

  const load = useCallback(
    (signal: AbortSignal) => getAccessRequests(platform, { limit: PAGE_SIZE, offset }, signal),
    [platform, offset],
  );
  const list = useResource(load);
  const items = list.data?.items ?? [];
  const total = list.data?.total ?? 0;
  const lastPage = Math.max(1, Math.ceil(total / PAGE_SIZE));

  const goTo = (next: number) => {
    setSearchParams(next <= 1 ? {} : { page: String(next) });
  };

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
            <Link className="button-primary" to={`/${platform}/requests/new`}>
              New request
            </Link>
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
            columns={['type', 'status', 'expires', 'created']}
          />
        </Notice>
      ) : null}
      {list.error !== undefined ? (
        <ErrorAlert error={list.error} context="Could not load the requests" onRetry={list.reload} />
      ) : null}
      {list.loading ? (
        <Loading>Loading requests…</Loading>
      ) : items.length === 0 ? (
        list.error === undefined ? (
          <EmptyState>
            {page > 1 ? 'No requests on this page.' : 'No requests yet.'}{' '}
            <Link to={`/${platform}/requests/new`}>Create one</Link>.
          </EmptyState>
        ) : null
      ) : (
        <>
          <p className="muted">
            Showing {offset + 1}–{offset + items.length} of {total}.
          </p>
          <RequestsTable
            platform={platform}
            caption={`All ${PLATFORM_LABELS[platform]} requests`}
            items={items}
            columns={['type', 'justification', 'status', 'expires', 'created', 'notifications', 'revoked']}
            busy={list.refreshing}
          />
        </>
      )}
      {total > PAGE_SIZE || page > 1 ? (
        <nav className="pager" aria-label="Pages of requests">
          <button
            type="button"
            className="button-secondary"
            disabled={page <= 1 || list.refreshing}
            onClick={() => {
              goTo(page - 1);
            }}
          >
            Previous
          </button>
          <span>
            Page {page} of {lastPage}
          </span>
          <button
            type="button"
            className="button-secondary"
            disabled={page >= lastPage || list.refreshing}
            onClick={() => {
              goTo(page + 1);
            }}
          >
            Next
          </button>
        </nav>
      ) : null}
    </>
  );
}
