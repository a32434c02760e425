import { DateTime } from '../../../components/DateTime';
import { Notice } from '../../../components/Feedback';
import { plural } from '../../../lib/format';
import type { RevokeResult } from '../api/revoke-expired';
import { LockLostAlert } from '../../jobs/components/LockLostAlert';

export function RevokeResultView({ result }: { result: RevokeResult }) {
  return (
    <section className="result" aria-labelledby="revoke-result-heading">
      <h2 id="revoke-result-heading">Last run</h2>
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
    </section>
  );
}
