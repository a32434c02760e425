import { useCallback } from 'react';
import { EmptyState, ErrorAlert, Loading } from '../../../components/Feedback';
import { PageHeader } from '../../../components/PageHeader';
import { plural } from '../../../lib/format';
import type { Platform } from '../../../lib/platforms';
import { useResource } from '../../../lib/use-resource';
import { JobControls } from '../../jobs/components/JobControls';
import { useJobRunner } from '../../jobs/hooks/use-job-runner';
import { getPendingExpiry } from '../../requests/api/get-pending-expiry';
import { CLIENT_PAGE_SIZE, RequestsTable } from '../../requests/components/RequestsTable';
import { getJobRunResult } from '../../jobs/api/get-job-run';
import { readRevokeResult, revokeExpired, type RevokeResult } from '../api/revoke-expired';
import { RevokeResultView } from './RevokeResultView';

/** Revoke Expired for one platform: the expired Active requests and the button that revokes them. */
export function RevokeExpiredPage({ platform }: { platform: Platform }) {
  const load = useCallback((signal: AbortSignal) => getPendingExpiry(platform, signal), [platform]);
  const list = useResource(load);
  const { reload } = list;
  const run = useCallback(() => revokeExpired(platform), [platform]);
  const readResult = useCallback(
    (jobId: string) => getJobRunResult<RevokeResult>(platform, jobId, readRevokeResult),
    [platform],
  );
  const runner = useJobRunner({ platform, kind: 'revoke', run, readResult, refresh: reload });
  const items = list.data ?? [];

  return (
    <>
      <PageHeader
        title="Revoke Expired"
        platform={platform}
        description="Active requests whose expiry has passed. The revoke job marks them Revoked and records who revoked them and when."
      />
      <JobControls
        platform={platform}
        runner={runner}
        buttonLabel={`Run Revoke Job (${items.length})`}
        confirmTitle={`Revoke ${plural(items.length, 'expired request')}?`}
        confirmLabel="Revoke"
        itemCount={items.length}
        listLoading={list.loading}
        listFailed={list.error !== undefined}
        nothingToDo="Nothing to revoke: no Active request is past its expiry."
      />
      {runner.result ? <RevokeResultView result={runner.result} /> : null}
      <section aria-labelledby="revoke-list-heading">
        <h2 id="revoke-list-heading">Expired, still active</h2>
        {list.error !== undefined ? (
          <ErrorAlert error={list.error} context="Could not load the expired requests" onRetry={reload} />
        ) : null}
        {list.loading ? (
          <Loading>Loading expired requests…</Loading>
        ) : items.length === 0 ? (
          list.error === undefined ? <EmptyState>No expired requests are waiting to be revoked.</EmptyState> : null
        ) : (
          <RequestsTable
            platform={platform}
            caption="Expired requests that are still active"
            items={items}
            columns={['status', 'expires', 'requestedBy', 'type', 'notifications']}
            busy={list.refreshing}
            pageSize={CLIENT_PAGE_SIZE}
          />
        )}
      </section>
    </>
  );
}
