import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import { alreadyRunningMessage, type ActiveJob, type JobAnswer, type JobKind, type JobStarted } from '../types';
import { POLL_INTERVAL_MS, useJobLock, type JobLock } from './use-job-lock';

export interface JobRunner<R> {
  lock: JobLock;
  /** This page's own POST is in flight. */
  running: boolean;
  /** The last result: a 200's, or, after a 202, the finished run's from its record. */
  result: R | null;
  /** After a 202: the run goes on in the background; cleared when its result is shown. */
  started: JobStarted | null;
  /** The last failure other than 409, as an error to show. */
  runError: unknown;
  /** The running job from the last 409 (cleared once the lock is released). */
  conflict: ActiveJob | null;
  conflictMessage: string | null;
  /** A run this page did not start (another tab, server or timer) held the lock and has finished. */
  finishedElsewhere: ActiveJob | null;
  /** True until the first job-status answer (or error) for this page. */
  checkingLock: boolean;
  trigger: () => Promise<void>;
}

interface UseJobRunnerOptions<R> {
  platform: Platform;
  kind: JobKind;
  /** The POST that runs the job; a 409 must throw an ApiError carrying activeJob. */
  run: () => Promise<JobAnswer<R>>;
  /** The result of a finished run (GET /api/{p}/jobs/{jobId}); null while it still runs. */
  readResult: (jobId: string) => Promise<R | null>;
  /** Refresh the page's list: after a 200 and when a poll sees the lock released. */
  refresh: () => void;
}

/**
 * The behaviour shared by the Revoke Expired and Expiry Notifications pages (SPEC Flow 3):
 * status on load, banner and 3-second polling while locked, 409 → show the running job and poll,
 * 200 → show the result, clear the lock state and refresh the list; 202 (DESIGN §7, R2) → say it
 * started, show the banner and poll, and when the lock is released show the run's result.
 */
export function useJobRunner<R>({ platform, kind, run, readResult, refresh }: UseJobRunnerOptions<R>): JobRunner<R> {
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<R | null>(null);
  const [started, setStarted] = useState<JobStarted | null>(null);
  const startedRef = useRef<JobStarted | null>(null);
  const [runError, setRunError] = useState<unknown>(undefined);
  const [conflict, setConflict] = useState<{ job: ActiveJob | null; message: string } | null>(null);
  const [finishedElsewhere, setFinishedElsewhere] = useState<ActiveJob | null>(null);
  const mounted = useRef(false);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  /**
   * Shows a finished run's result, unless `wanted` says the page has moved on meanwhile. A failure
   * to read this page's own run is its error; another's result is a courtesy (its notice links to it).
   */
  const showRunResult = useCallback(
    async (jobId: string, wanted: () => boolean, own: boolean) => {
      try {
        const finished = await readResult(jobId);
        if (!mounted.current || !wanted()) return;
        if (finished === null) return; // still running: the next unlock tries again
        startedRef.current = null;
        setStarted(null);
        setResult(finished);
      } catch (error) {
        if (mounted.current && own) setRunError(error);
      }
    },
    [readResult],
  );

  const onUnlock = useCallback(
    (finished: ActiveJob | null) => {
      setConflict(null);
      refresh();
      const mine = startedRef.current;
      if (mine) {
        void showRunResult(mine.jobId, () => startedRef.current?.jobId === mine.jobId, true);
      } else if (finished) {
        setFinishedElsewhere(finished);
        if (finished.jobId) void showRunResult(finished.jobId, () => startedRef.current === null, false);
      }
    },
    [refresh, showRunResult],
  );

  const lock = useJobLock({ platform, kind, onUnlock, idleCheckMs: POLL_INTERVAL_MS, paused: running });
  const { showLocked, markUnlocked, recheck } = lock;

  const trigger = useCallback(async () => {
    setRunning(true);
    setResult(null);
    setStarted(null);
    startedRef.current = null;
    setRunError(undefined);
    setConflict(null);
    setFinishedElsewhere(null);
    try {
      const answer = await run();
      if (!mounted.current) return;
      if (!answer.finished) {
        // Still running: the banner shows while the lock is held; its release brings the result.
        startedRef.current = answer.started;
        setStarted(answer.started);
        showLocked(null);
        recheck();
        return;
      }
      setResult(answer.result);
      markUnlocked();
      refresh();
    } catch (error) {
      if (!mounted.current) return;
      if (error instanceof ApiError && error.status === 409) {
        const job = error.activeJob;
        setConflict({ job, message: job ? alreadyRunningMessage(job) : error.message });
        showLocked(error.activeJob);
      } else {
        setRunError(error);
      }
    } finally {
      if (mounted.current) setRunning(false);
    }
  }, [run, refresh, showLocked, markUnlocked, recheck]);

  return {
    lock,
    running,
    result,
    started,
    runError,
    conflict: conflict?.job ?? null,
    conflictMessage: conflict?.message ?? null,
    finishedElsewhere,
    checkingLock: lock.status === null && lock.error === undefined,
    trigger,
  };
}
