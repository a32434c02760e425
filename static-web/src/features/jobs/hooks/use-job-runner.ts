import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import type { ActiveJob, JobKind } from '../types';
import { POLL_INTERVAL_MS, useJobLock, type JobLock } from './use-job-lock';

export interface JobRunner<R> {
  lock: JobLock;
  /** This page's own POST is in flight. */
  running: boolean;
  /** The last 200 answer. */
  result: R | null;
  /** The last failure other than 409, as an error to show. */
  runError: unknown;
  /** The running job from the last 409 (cleared once the lock is released). */
  conflict: ActiveJob | null;
  conflictMessage: string | null;
  /** True until the first job-status answer (or error) for this page. */
  checkingLock: boolean;
  trigger: () => Promise<void>;
}

interface UseJobRunnerOptions<R> {
  platform: Platform;
  kind: JobKind;
  /** The POST that runs the job; a 409 must throw an ApiError carrying activeJob. */
  run: () => Promise<R>;
  /** Refresh the page's list: after a 200 and when a poll sees the lock released. */
  refresh: () => void;
}

/**
 * The behaviour shared by the Revoke Expired and Expiry Notifications pages (SPEC Flow 3):
 * status on load, banner and 3-second polling while locked, 409 → show the running job and poll,
 * 200 → show the result, clear the lock state and refresh the list.
 */
export function useJobRunner<R>({ platform, kind, run, refresh }: UseJobRunnerOptions<R>): JobRunner<R> {
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<R | null>(null);
  const [runError, setRunError] = useState<unknown>(undefined);
  const [conflict, setConflict] = useState<{ job: ActiveJob | null; message: string } | null>(null);
  const mounted = useRef(false);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const onUnlock = useCallback(() => {
    setConflict(null);
    refresh();
  }, [refresh]);

  const lock = useJobLock({ platform, kind, onUnlock, idleCheckMs: POLL_INTERVAL_MS, paused: running });
  const { showLocked, markUnlocked } = lock;

  const trigger = useCallback(async () => {
    setRunning(true);
    setResult(null);
    setRunError(undefined);
    setConflict(null);
    try {
      const answer = await run();
      if (!mounted.current) return;
      setResult(answer);
      markUnlocked();
      refresh();
    } catch (error) {
      if (!mounted.current) return;
      if (error instanceof ApiError && error.status === 409) {
        setConflict({ job: error.activeJob, message: error.message });
        showLocked(error.activeJob);
      } else {
        setRunError(error);
      }
    } finally {
      if (mounted.current) setRunning(false);
    }
  }, [run, refresh, showLocked, markUnlocked]);

  return {
    lock,
    running,
    result,
    runError,
    conflict: conflict?.job ?? null,
    conflictMessage: conflict?.message ?? null,
    checkingLock: lock.status === null && lock.error === undefined,
    trigger,
  };
}
