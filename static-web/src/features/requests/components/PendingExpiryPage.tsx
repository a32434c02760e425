import { useCallback } from 'react';
import { Link } from 'react-router';
import { EmptyState, ErrorAlert, Loading } from '../../../components/Feedback';
import { PageHeader } from '../../../components/PageHeader';
import type { Platform } from '../../../lib/platforms';
import { useResource } from '../../../lib/use-resource';
import { getPendingExpiry } from '../api/get-pending-expiry';
import { RequestsTable } from './RequestsTable';

/** Pending Expiry for one platform: Active requests already past expiry (what the revoke job would take). */
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
            Active requests whose expiry has already passed. The next revoke job takes them; you can also run it
            from <Link to={`/${platform}/revoke`}>Revoke Expired</Link>.
          </>
        }
        actions={
          <button type="button" className="button-secondary" onClick={list.reload} disabled={list.refreshing}>
            Refresh
          </button>
        }
      />
      {list.error !== undefined ? (
        <ErrorAlert error={list.error} context="Could not load the pending expiries" onRetry={list.reload} />
      ) : null}
      {list.loading ? (
        <Loading>Loading pending expiries…</Loading>
      ) : items.length === 0 ? (
        list.error === undefined ? <EmptyState>No active request is past its expiry.</EmptyState> : null
      ) : (
        <>
          <p className="muted">{items.length} expired, still active.</p>
          <RequestsTable
            platform={platform}
            caption="Active requests past expiry"
            items={items}
            columns={['type', 'justification', 'status', 'expires', 'created', 'notifications']}
            busy={list.refreshing}
          />
        </>
      )}
    </>
  );
}
