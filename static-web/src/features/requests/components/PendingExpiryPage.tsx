import { useCallback } from 'react';
import { Link } from 'react-router';
import { EmptyState, ErrorAlert, Loading } from '../../../components/Feedback';
import { PageHeader } from '../../../components/PageHeader';
import type { Platform } from '../../../lib/platforms';
import { useResource } from '../../../lib/use-resource';
import { getPendingExpiry } from '../api/get-pending-expiry';
import { CLIENT_PAGE_SIZE, RequestsTable } from './RequestsTable';

/** Pending Expiry (the SPEC's name) for one platform: Active requests already past expiry, what the revoke job takes. */
export function PendingExpiryPage({ platform }: { platform: Platform }) {
  const load = useCallback((signal: AbortSignal) => getPendingExpiry(platform, signal), [platform]);
  const list = useResource(load);
  const items = list.data ?? [];

  return (
    <>
      <PageHeader
        title="Pending Expiry"
        platform={platform}
        description={
          <>
            Not what will expire soon: requests that have <strong>already passed their expiry</strong> and still have
            access, because no revoke job has run since. The next one takes them; you can also run it from{' '}
            <Link to={`/${platform}/revoke`}>Revoke Expired</Link>.
          </>
        }
        actions={
          <button type="button" className="button-secondary" onClick={list.reload} disabled={list.refreshing}>
            Refresh
          </button>
        }
      />
      <section aria-labelledby="pending-expiry-heading">
        <h2 id="pending-expiry-heading">Already expired, awaiting revoke</h2>
        {list.error !== undefined ? (
          <ErrorAlert error={list.error} context="Could not load the pending expiries" onRetry={list.reload} />
        ) : null}
        {list.loading ? (
          <Loading>Loading pending expiries…</Loading>
        ) : items.length === 0 ? (
          list.error === undefined ? <EmptyState>No active request is past its expiry.</EmptyState> : null
        ) : (
          <>
            <p className="muted">{items.length} past their expiry, still active.</p>
            <RequestsTable
              platform={platform}
              caption="Active requests past expiry"
              items={items}
              columns={['status', 'expires', 'requestedBy', 'type', 'justification', 'created', 'notifications']}
              busy={list.refreshing}
              pageSize={CLIENT_PAGE_SIZE}
            />
          </>
        )}
      </section>
    </>
  );
}
