import { DateTime } from '../../../components/DateTime';
import { Notice } from '../../../components/Feedback';
import { PagedDataTable, RunRequestCell } from '../../requests/components/RequestsTable';
import { formatDuration } from '../../../lib/format';
import type { FailedNotification, NotificationJobResult, SentNotification } from '../api/send-expiry-notifications';
import { LockLostAlert } from '../../jobs/components/LockLostAlert';
import { RunStatusBadge } from '../../jobs/components/RunStatusBadge';

function speedupText(speedup: number): string {
  return Number.isFinite(speedup) ? `${speedup.toFixed(1)}×` : '—';
}

/** A notification run's result; every sent and failed reminder, a page at a time. */
export function NotificationResultView({ result, heading = 'Last run' }: { result: NotificationJobResult; heading?: string }) {
  const { performance } = result;
  const tone = result.failedCount > 0 ? 'warning' : result.notifiedCount > 0 ? 'success' : 'info';
  return (
    <section className="result" aria-labelledby="notify-result-heading">
      <h2 id="notify-result-heading">{heading}</h2>
      <Notice tone={tone}>
        <p>
          <RunStatusBadge status="Completed" failedCount={result.failedCount} /> <strong>{result.message}</strong>
        </p>
        <dl className="stats">
          <div>
            <dt>Sent</dt>
            <dd>{result.notifiedCount}</dd>
          </div>
          <div>
            <dt>Failed</dt>
            <dd>{result.failedCount}</dd>
          </div>
          {result.notStarted ? (
            <div>
              <dt>Left for the next run</dt>
              <dd>{result.notStarted}</dd>
            </div>
          ) : null}
          {performance ? (
            <>
              <div>
                <dt>Parallel time</dt>
                <dd>{formatDuration(performance.parallelMs)}</dd>
              </div>
              <div>
                <dt>Estimated sequential time</dt>
                <dd>{formatDuration(performance.estimatedSequentialMs)}</dd>
              </div>
              <div>
                <dt>Speedup</dt>
                <dd>{speedupText(performance.speedup)}</dd>
              </div>
            </>
          ) : null}
          <div>
            <dt>Job ID</dt>
            <dd className="mono">{result.jobId}</dd>
          </div>
        </dl>
      </Notice>
      <LockLostAlert lockLost={result.lockLost} />
      {result.notifications.length > 0 ? (
        <>
          <h3>Sent ({result.notifications.length})</h3>
          <PagedDataTable<SentNotification>
            caption="Notifications sent"
            items={result.notifications}
            rowKey={(n) => `${String(n.requestId)}|${n.reminderType}`}
            columns={[
              { id: 'request', header: 'Request', cell: (n) => <RunRequestCell {...n} /> },
              { id: 'email', header: 'Email', cell: (n) => n.email },
              { id: 'reminder', header: 'Reminder', cell: (n) => n.reminderType },
              { id: 'days', header: 'Days left', cell: (n) => n.daysLeft },
              { id: 'sent', header: 'Sent at', cell: (n) => <DateTime value={n.sentAt} withSeconds /> },
            ]}
          />
        </>
      ) : null}
      {result.failures.length > 0 ? (
        <>
          <h3>Failed ({result.failures.length})</h3>
          <PagedDataTable<FailedNotification>
            caption="Notifications that failed"
            items={result.failures}
            rowKey={(f) => `${String(f.requestId)}|${f.reminderType}`}
            rowClassName={() => 'row-failed'}
            columns={[
              { id: 'request', header: 'Request', cell: (f) => <RunRequestCell {...f} /> },
              { id: 'email', header: 'Email', cell: (f) => f.email },
              { id: 'reminder', header: 'Reminder', cell: (f) => f.reminderType },
              { id: 'error', header: 'Error', cell: (f) => f.error },
            ]}
          />
        </>
      ) : null}
    </section>
  );
}
