import { useCallback, useMemo, useState } from 'react';
import { EmptyState, ErrorAlert, Loading } from '../../../components/Feedback';
import { PageHeader } from '../../../components/PageHeader';
import { plural } from '../../../lib/format';
import type { Platform } from '../../../lib/platforms';
import { useResource } from '../../../lib/use-resource';
import { useHealth } from '../../health/components/HealthProvider';
import { getJobRunResult } from '../../jobs/api/get-job-run';
import { JobControls } from '../../jobs/components/JobControls';
import { useJobRunner } from '../../jobs/hooks/use-job-runner';
import {
  PagedDataTable,
  requestColumns,
  requestDetailColumns,
  type Column,
} from '../../requests/components/RequestsTable';
import { requestKey, type PendingNotification } from '../../requests/types';
import { getPendingNotifications } from '../api/get-pending-notifications';
import {
  readNotificationResult,
  sendExpiryNotifications,
  type NotificationJobResult,
} from '../api/send-expiry-notifications';
import { failureNote, type TestMode } from '../test-mode';
import { EmailPreviewPanel } from './EmailPreviewPanel';
import { NotificationResultView } from './NotificationResultView';
import { TestModeFieldset } from './TestModeFieldset';

/** Expiry Notifications for one platform: who needs a reminder now, Test Mode, and the trigger. */
export function ExpiryNotificationsPage({ platform }: { platform: Platform }) {
  const load = useCallback((signal: AbortSignal) => getPendingNotifications(platform, signal), [platform]);
  const list = useResource(load);
  const { reload } = list;
  const { health } = useHealth();
  const simulationOff = health !== undefined && !health.testSimulation;

  const [mode, setMode] = useState<TestMode>('normal');
  const [picked, setPicked] = useState<string[]>([]);

  const items = useMemo(() => list.data ?? [], [list.data]);
  const emails = useMemo(
    () => [...new Set(items.map((item) => item.requestedByEmail).filter(Boolean))].sort((a, b) => a.localeCompare(b)),
    [items],
  );
  // Only emails still listed can be picked (the list refreshes after every run).
  const failEmails = useMemo(() => picked.filter((email) => emails.includes(email)), [picked, emails]);
  const effectiveMode: TestMode = simulationOff ? 'normal' : mode;

  const run = useCallback(async () => {
    const answer = await sendExpiryNotifications(platform, { testMode: effectiveMode, failEmails });
    setPicked([]); // those reminders were sent (or failed): the next run starts from no pick
    return answer;
  }, [platform, effectiveMode, failEmails]);
  const failing = items.filter((item) => failEmails.includes(item.requestedByEmail)).length;
  const readResult = useCallback(
    (jobId: string) => getJobRunResult<NotificationJobResult>(platform, jobId, readNotificationResult),
    [platform],
  );
  const runner = useJobRunner({ platform, kind: 'notification', run, readResult, refresh: reload });

  const columns = useMemo<Column<PendingNotification>[]>(
    () => [
      ...requestColumns(platform, ['expires']),
      { id: 'daysLeft', header: 'Days left', cell: (item: PendingNotification) => item.daysLeft },
      { id: 'reminder', header: 'Reminder to send', cell: (item: PendingNotification) => item.reminderType },
      ...requestDetailColumns(platform, ['requestedBy', 'type']),
      { id: 'sent', header: 'Already sent', cell: (item: PendingNotification) => item.notificationCount },
    ],
    [platform],
  );

  return (
    <>
      <PageHeader
        title="Expiry Notifications"
        platform={platform}
        description="Active requests expiring within 30 days that are due a reminder: a 30-Day Reminder first, then a 7-Day Reminder once 7 days or fewer remain."
      />
      <JobControls
        platform={platform}
        runner={runner}
        buttonLabel={`Trigger Notification to All (${items.length})`}
        confirmTitle={`Send ${plural(items.length, 'reminder')}?`}
        confirmLabel="Send"
        note={failureNote(effectiveMode, failing, items.length)}
        itemCount={items.length}
        listLoading={list.loading}
        listFailed={list.error !== undefined}
        nothingToDo="Nobody needs a reminder right now."
      >
        <TestModeFieldset
          mode={effectiveMode}
          onModeChange={setMode}
          emails={emails}
          failEmails={failEmails}
          onFailEmailsChange={setPicked}
          simulationOff={simulationOff}
          disabled={runner.running}
        />
      </JobControls>
      {runner.result ? <NotificationResultView result={runner.result} /> : null}
      <section aria-labelledby="notify-list-heading">
        <h2 id="notify-list-heading">Due a reminder</h2>
        {list.error !== undefined ? (
          <ErrorAlert error={list.error} context="Could not load the pending notifications" onRetry={reload} />
        ) : null}
        {list.loading ? (
          <Loading>Loading pending notifications…</Loading>
        ) : items.length === 0 ? (
          list.error === undefined ? <EmptyState>No request needs a reminder right now.</EmptyState> : null
        ) : (
          <PagedDataTable<PendingNotification>
            caption="Requests due an expiry reminder"
            items={items}
            columns={columns}
            rowKey={requestKey}
            busy={list.refreshing}
          />
        )}
      </section>
      <EmailPreviewPanel platform={platform} />
    </>
  );
}
