import type { ReactNode } from 'react';
import { ErrorAlert } from '../../../components/Feedback';
import type { JobRunner } from '../hooks/use-job-runner';
import { JobRunningBanner } from './JobRunningBanner';

interface JobControlsProps<R> {
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
  /** Extra inputs shown above the button (the notification page's Test Mode). */
  children?: ReactNode;
}

/**
 * The job area of a job page: the running-job banner, the trigger button and the reason it is
 * disabled. Disabled while locked, while loading, while the first status check is pending, and when
 * there is nothing to process.
 */
export function JobControls<R>({
  runner,
  buttonLabel,
  itemCount,
  listLoading,
  listFailed = false,
  nothingToDo,
  children,
}: JobControlsProps<R>) {
  const { lock, running, started, runError, conflictMessage, checkingLock, trigger } = runner;
  const disabled = running || listLoading || checkingLock || lock.isLocked || itemCount === 0;

  let reason: string | null = null;
  if (running) reason = 'Running… the result appears here when the job finishes.';
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
          aria-describedby={reason ? 'job-trigger-reason' : undefined}
          onClick={() => {
            void trigger();
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
      </div>
      {runError !== undefined ? <ErrorAlert error={runError} context="The job did not run" /> : null}
    </section>
  );
}
