import { useCallback, useEffect, useRef, useState } from 'react';
import type { Platform } from '../../../lib/platforms';
import { getJobStatus } from '../api/get-job-status';
import type { ActiveJob, JobKind, JobStatus } from '../types';

/** SPEC Flow 3: while the job is locked the page re-reads its status every 3 seconds. */
export const POLL_INTERVAL_MS = 3000;

export interface UseJobLockOptions {
  platform: Platform;
  kind: JobKind;
  /**
   * Called once when a poll sees the lock released, with the run that held it when known: the page
   * refreshes its list and says that run has finished.
   */
  onUnlock?: (finished: ActiveJob | null) => void;
  /**
   * While unlocked, also re-read the status this often, so a job started elsewhere (another tab,
   * another server, a timer) shows up without a reload. null or 0 turns it off.
   */
  idleCheckMs?: number | null;
  /** Suspends the idle check, e.g. while this page's own POST is in flight. */
  paused?: boolean;
}

export interface JobLock {
  /** null until the first status answer for this platform and kind. */
  status: JobStatus | null;
  isLocked: boolean;
  activeJob: ActiveJob | null;
  /** The last status fetch failed (the page says so; polling carries on while locked). */
  error: unknown;
  /** True while the polling interval runs (the banner pulses). */
  polling: boolean;
  /** After a 409: show the running job and poll until it finishes. */
  showLocked: (activeJob: ActiveJob | null) => void;
  /** After a 200: this page's own job has finished, so the lock is free. */
  markUnlocked: () => void;
  /** Read the status now (after a 202: who holds the lock, or that the run has already ended). */
  recheck: () => void;
}

interface LockState {
  key: string;
  status: JobStatus | null;
  error: unknown;
  polling: boolean;
}

export function useJobLock({ platform, kind, onUnlock, idleCheckMs = null, paused = false }: UseJobLockOptions): JobLock {
  const key = `${platform}/${kind}`;
  const [state, setState] = useState<LockState>({ key, status: null, error: undefined, polling: false });

  /** The setInterval id of the 3-second poll; null when not polling. */
  const pollRef = useRef<ReturnType<typeof setInterval> | null>(null);
  /** The run holding the lock, as last seen (status answer or 409). */
  const holderRef = useRef<ActiveJob | null>(null);
  const onUnlockRef = useRef(onUnlock);
  const checkRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    onUnlockRef.current = onUnlock;
  }, [onUnlock]);

  const stopPolling = useCallback(() => {
    if (pollRef.current !== null) {
      clearInterval(pollRef.current);
      pollRef.current = null;
    }
  }, []);

  const startPolling = useCallback(() => {
    if (pollRef.current !== null) return;
    pollRef.current = setInterval(() => {
      checkRef.current();
    }, POLL_INTERVAL_MS);
  }, []);

  // One effect per platform and kind: read the status on load, poll while locked, clean up on unmount.
  useEffect(() => {
    let active = true;
    let inFlight = false;

    const check = async () => {
      if (inFlight) return;
      inFlight = true;
      try {
        const next = await getJobStatus(platform, kind);
        if (!active) return;
        if (next.isLocked) {
          holderRef.current = next.activeJob ?? holderRef.current;
          startPolling();
          setState({ key, status: next, error: undefined, polling: true });
        } else {
          const wasPolling = pollRef.current !== null;
          stopPolling();
          setState({ key, status: next, error: undefined, polling: false });
          const finished = holderRef.current;
          holderRef.current = null;
          if (wasPolling) onUnlockRef.current?.(finished);
        }
      } catch (error) {
        if (!active) return;
        setState((previous) => ({
          key,
          status: previous.key === key ? previous.status : null,
          error,
          polling: pollRef.current !== null,
        }));
      } finally {
        inFlight = false;
      }
    };

    checkRef.current = () => {
      void check();
    };
    void check();

    return () => {
      active = false;
      checkRef.current = () => undefined;
      holderRef.current = null;
      stopPolling();
    };
  }, [key, platform, kind, startPolling, stopPolling]);

  // Idle check: only while unlocked (the 3-second poll covers the locked case) and not paused.
  useEffect(() => {
    if (!idleCheckMs || paused) return;
    const id = setInterval(() => {
      if (pollRef.current === null) checkRef.current();
    }, idleCheckMs);
    return () => {
      clearInterval(id);
    };
  }, [idleCheckMs, paused]);

  const showLocked = useCallback(
    (activeJob: ActiveJob | null) => {
      holderRef.current = activeJob;
      startPolling();
      setState({ key, status: { isLocked: true, activeJob }, error: undefined, polling: true });
    },
    [key, startPolling],
  );

  const markUnlocked = useCallback(() => {
    holderRef.current = null;
    stopPolling();
    setState({ key, status: { isLocked: false, activeJob: null }, error: undefined, polling: false });
  }, [key, stopPolling]);

  const recheck = useCallback(() => {
    checkRef.current();
  }, []);

  const current = state.key === key ? state : null;
  const status = current?.status ?? null;
  return {
    status,
    isLocked: status?.isLocked === true,
    activeJob: status?.activeJob ?? null,
    error: current?.error,
    polling: current?.polling === true,
    showLocked,
    markUnlocked,
    recheck,
  };
}
