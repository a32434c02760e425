import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ErrorAlert, Notice } from '../../../components/Feedback';
import type { Platform } from '../../../lib/platforms';
import { useAdminRefusal } from '../../identity/components/IdentityProvider';
import type { JobRunner } from '../hooks/use-job-runner';
import { JobRunningBanner } from './JobRunningBanner';

interface JobControlsProps<R> {
  platform: Platform;
  runner: JobRunner<R>;
  /** The exact accessible name of the trigger button, e.g. "Run Revoke Job (3)". */
  buttonLabel: string;
  /** Items the job would process now; zero disables the button. */
  itemCount: number;
  /** The page's list is still loading. */
  listLoading: boolean;
  /** The page's list could not be loaded. */
  listFailed?: boolean;
  /** Why there is nothing to do, shown beside a disabled button. */
  nothingToDo: string;
  /** The question asked before the job runs, with the count: "Revoke 37 expired requests?". */
  confirmTitle: string;
  /** The verb that goes ahead in that question, e.g. "Revoke". */
  confirmLabel: string;
  /** What the run will do beyond the count (how many sends will be made to fail): shown beside the button and in the question. */
  note?: string | null;
  /** Extra inputs shown above the button (the notification page's Test Mode). */
  children?: ReactNode;
}

/**
 * The job area of a job page: the running-job banner, the trigger button and the reason it is
 * disabled. Disabled while locked, while loading, while the first status check is pending, and when
 * there is nothing to process.
 */
export function JobControls<R>({
  platform,
  runner,
  buttonLabel,
  itemCount,
  listLoading,
  listFailed = false,
  nothingToDo,
  confirmTitle,
  confirmLabel,
  note = null,
  children,
}: JobControlsProps<R>) {
  const { lock, running, started, runError, conflictMessage, finishedElsewhere, checkingLock, trigger } = runner;
  const adminRefusal = useAdminRefusal();
  const [confirming, setConfirming] = useState(false);
  const disabled = running || listLoading || checkingLock || lock.isLocked || itemCount === 0 || adminRefusal !== null;

  let reason: string | null = null;
  if (running) reason = 'Running… the result appears here when the job finishes.';
  else if (adminRefusal) reason = adminRefusal;
  else if (lock.isLocked) reason = null; // the banner explains it
  else if (listLoading || checkingLock) reason = 'Checking…';
  else if (itemCount === 0) reason = listFailed ? 'The list could not be loaded.' : nothingToDo;

  return (
    <section className="job-controls" aria-label="Run the job">
      {started ? (
        <div className="alert alert-info" aria-live="polite">
          <strong>Job started.</strong> It runs in the background; its result appears here when it finishes
          (job <span className="mono">{started.jobId}</span>).
        </div>
      ) : null}
      {finishedElsewhere && !lock.isLocked ? (
        <Notice tone="info">
          The run started by {finishedElsewhere.startedBy || 'another server'} has finished.{' '}
          {finishedElsewhere.jobId ? (
            <Link to={`/${platform}/jobs/${encodeURIComponent(finishedElsewhere.jobId)}`}>See its result</Link>
          ) : (
            <Link to={`/${platform}/jobs`}>See Job History</Link>
          )}
          .
        </Notice>
      ) : null}
      {lock.isLocked ? <JobRunningBanner activeJob={lock.activeJob} /> : null}
      {conflictMessage && lock.isLocked ? (
        <div className="alert alert-warning" role="alert">
          {conflictMessage}
        </div>
      ) : null}
      {lock.error !== undefined ? (
        <ErrorAlert error={lock.error} context="Could not check whether the job is running" />
      ) : null}
      {children}
      <div className="job-trigger">
        <button
          type="button"
          className="button-primary"
          disabled={disabled}
          aria-busy={running}
          aria-describedby={reason ? 'job-trigger-reason' : note ? 'job-trigger-note' : undefined}
          onClick={() => {
            setConfirming(true);
          }}
        >
          {buttonLabel}
        </button>
        {running ? <span className="spinner" aria-hidden="true" /> : null}
        {reason ? (
          <span id="job-trigger-reason" className="muted">
            {reason}
          </span>
        ) : null}
        {note && !reason ? (
          <span id="job-trigger-note" className="muted">
            {note}
          </span>
        ) : null}
      </div>
      {runError !== undefined ? <ErrorAlert error={runError} context="The job did not run" /> : null}
      <ConfirmDialog
        open={confirming}
        title={confirmTitle}
        confirmLabel={confirmLabel}
        onCancel={() => {
          setConfirming(false);
        }}
        onConfirm={() => {
          setConfirming(false);
          void trigger();
        }}
      >
        {note ? <p>{note}</p> : null}
      </ConfirmDialog>
    </section>
  );
}
