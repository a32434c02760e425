import { DateTime } from '../../../components/DateTime';
import { Notice } from '../../../components/Feedback';
import { plural } from '../../../lib/format';
import type { RevokedRequest, RevokeResult } from '../api/revoke-expired';
import { LockLostAlert } from '../../jobs/components/LockLostAlert';
import { PagedDataTable, RunRequestCell } from '../../requests/components/RequestsTable';

/** A revoke run's result, with what it revoked, a page at a time. */
export function RevokeResultView({ result, heading = 'Last run' }: { result: RevokeResult; heading?: string }) {
  const revoked = result.revoked ?? [];
  return (
    <section className="result" aria-labelledby="revoke-result-heading">
      <h2 id="revoke-result-heading">{heading}</h2>
      <Notice tone={result.revokedCount > 0 ? 'success' : 'info'}>
        <p>
          <strong>{result.message}</strong>
        </p>
        <dl className="stats">
          <div>
            <dt>Revoked</dt>
            <dd>{plural(result.revokedCount, 'request')}</dd>
          </div>
          {result.revokedAt ? (
            <div>
              <dt>Revoked at</dt>
              <dd>
                <DateTime value={result.revokedAt} withSeconds />
              </dd>
            </div>
          ) : null}
          <div>
            <dt>Job ID</dt>
            <dd className="mono">{result.jobId}</dd>
          </div>
        </dl>
      </Notice>
      <LockLostAlert lockLost={result.lockLost} />
      {revoked.length > 0 ? (
        <>
          <h3>Revoked ({revoked.length})</h3>
          <PagedDataTable<RevokedRequest>
            caption="Requests revoked"
            items={revoked}
            rowKey={(r) => String(r.requestId)}
            columns={[
              { id: 'request', header: 'Request', cell: (r) => <RunRequestCell {...r} /> },
              { id: 'email', header: 'Requested by', cell: (r) => r.email },
            ]}
          />
        </>
      ) : null}
    </section>
  );
}
