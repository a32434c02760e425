import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACTIVE_JOB } from '../../../test/fixtures';
import { json, mockApi, problem } from '../../../test/mock-api';
import { advance } from '../../../test/render';
import type { JobStatus } from '../types';
import { POLL_INTERVAL_MS, useJobLock } from './use-job-lock';

const STATUS = 'GET /api/databricks/access-requests/revoke-job-status';
const LOCKED: JobStatus = { isLocked: true, activeJob: ACTIVE_JOB };
const UNLOCKED: JobStatus = { isLocked: false, activeJob: null };

/** A status endpoint whose answer the test flips, like another tab starting or finishing a job. */
function statusServer(initial: JobStatus) {
  let current = initial;
  const api = mockApi({ [STATUS]: () => json(current) });
  return {
    api,
    set(next: JobStatus) {
      current = next;
    },
    count: () => api.callsTo(STATUS).length,
  };
}

describe('useJobLock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads the platform-specific status endpoint once on load', async () => {
    const server = statusServer(UNLOCKED);
    const { result } = renderHook(() => useJobLock({ platform: 'databricks', kind: 'revoke' }));
    expect(result.current.status).toBeNull();
    await advance();
    expect(server.count()).toBe(1);
    expect(result.current.status).toEqual(UNLOCKED);
    expect(result.current.isLocked).toBe(false);
  });

  it('polls every 3 s while locked, then stops, clears the interval and calls onUnlock once on unlock', async () => {
    const server = statusServer(LOCKED);
    const onUnlock = vi.fn();
    const { result } = renderHook(() => useJobLock({ platform: 'databricks', kind: 'revoke', onUnlock }));
    await advance();
    expect(result.current.isLocked).toBe(true);
    expect(result.current.activeJob).toEqual(ACTIVE_JOB);
    expect(result.current.polling).toBe(true);
    expect(vi.getTimerCount()).toBe(1);

    await advance(POLL_INTERVAL_MS - 1);
    expect(server.count()).toBe(1);
    await advance(1);
    expect(server.count()).toBe(2);
    await advance(POLL_INTERVAL_MS);
    expect(server.count()).toBe(3);
    expect(result.current.isLocked).toBe(true);
    expect(onUnlock).not.toHaveBeenCalled();

    server.set(UNLOCKED);
    await advance(POLL_INTERVAL_MS);
    expect(server.count()).toBe(4);
    expect(result.current.isLocked).toBe(false);
    expect(result.current.activeJob).toBeNull();
    expect(result.current.polling).toBe(false);
    expect(onUnlock).toHaveBeenCalledTimes(1);
    expect(onUnlock).toHaveBeenCalledWith(ACTIVE_JOB); // the run that held it, so the page can name it
    expect(vi.getTimerCount()).toBe(0);

    await advance(POLL_INTERVAL_MS * 10);
    expect(server.count()).toBe(4);
    expect(onUnlock).toHaveBeenCalledTimes(1);
  });

  it('does not poll, nor call onUnlock, when the job is not running (idle check off)', async () => {
    const server = statusServer(UNLOCKED);
    const onUnlock = vi.fn();
    renderHook(() => useJobLock({ platform: 'databricks', kind: 'revoke', onUnlock }));
    await advance(POLL_INTERVAL_MS * 5);
    expect(server.count()).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(onUnlock).not.toHaveBeenCalled();
  });

  it('clears the polling interval on unmount', async () => {
    const server = statusServer(LOCKED);
    const { unmount } = renderHook(() => useJobLock({ platform: 'databricks', kind: 'revoke' }));
    await advance();
    expect(vi.getTimerCount()).toBe(1);
    unmount();
    expect(vi.getTimerCount()).toBe(0);
    await advance(POLL_INTERVAL_MS * 5);
    expect(server.count()).toBe(1);
  });

  it('after a 409 (showLocked) shows the running job and polls until it finishes', async () => {
    const server = statusServer(UNLOCKED);
    const onUnlock = vi.fn();
    const { result } = renderHook(() => useJobLock({ platform: 'databricks', kind: 'revoke', onUnlock }));
    await advance();
    expect(result.current.isLocked).toBe(false);

    server.set(LOCKED);
    act(() => {
      result.current.showLocked(ACTIVE_JOB);
    });
    expect(result.current.isLocked).toBe(true);
    expect(result.current.activeJob).toEqual(ACTIVE_JOB);
    await advance(POLL_INTERVAL_MS);
    expect(server.count()).toBe(2);
    expect(result.current.isLocked).toBe(true);

    server.set(UNLOCKED);
    await advance(POLL_INTERVAL_MS);
    expect(result.current.isLocked).toBe(false);
    expect(onUnlock).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('markUnlocked (after a 200) stops polling without calling onUnlock', async () => {
    const server = statusServer(LOCKED);
    const onUnlock = vi.fn();
    const { result } = renderHook(() => useJobLock({ platform: 'databricks', kind: 'revoke', onUnlock }));
    await advance();
    act(() => {
      result.current.markUnlocked();
    });
    expect(result.current.isLocked).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    await advance(POLL_INTERVAL_MS * 3);
    expect(server.count()).toBe(1);
    expect(onUnlock).not.toHaveBeenCalled();
  });

  it('with the idle check on, notices a job started elsewhere, then its end', async () => {
    const server = statusServer(UNLOCKED);
    const onUnlock = vi.fn();
    const { result } = renderHook(() =>
      useJobLock({ platform: 'databricks', kind: 'revoke', onUnlock, idleCheckMs: POLL_INTERVAL_MS }),
    );
    await advance();
    expect(result.current.isLocked).toBe(false);

    server.set(LOCKED);
    await advance(POLL_INTERVAL_MS);
    expect(result.current.isLocked).toBe(true);
    expect(result.current.activeJob?.startedBy).toBe('func-host-2');

    // While locked only the 3-second poll reads the status (the idle check stands aside).
    const before = server.count();
    await advance(POLL_INTERVAL_MS);
    expect(server.count()).toBe(before + 1);

    server.set(UNLOCKED);
    await advance(POLL_INTERVAL_MS);
    expect(result.current.isLocked).toBe(false);
    expect(onUnlock).toHaveBeenCalledTimes(1);
  });

  it('keeps polling through a failed status read while locked and reports the error', async () => {
    let reply = json(LOCKED);
    const api = mockApi({ [STATUS]: () => reply });
    const onUnlock = vi.fn();
    const { result } = renderHook(() => useJobLock({ platform: 'databricks', kind: 'revoke', onUnlock }));
    await advance();
    reply = problem(503, 'Service Unavailable', { detail: 'Database unreachable' });
    await advance(POLL_INTERVAL_MS);
    expect(result.current.isLocked).toBe(true);
    expect(String(result.current.error)).toContain('Database unreachable');

    reply = json(UNLOCKED);
    await advance(POLL_INTERVAL_MS);
    expect(api.callsTo(STATUS)).toHaveLength(3);
    expect(result.current.isLocked).toBe(false);
    expect(result.current.error).toBeUndefined();
    expect(onUnlock).toHaveBeenCalledTimes(1);
  });

  it('uses the notification status endpoint of the given platform', async () => {
    const api = mockApi({ 'GET /api/palantir/access-requests/notification-job-status': json(UNLOCKED) });
    renderHook(() => useJobLock({ platform: 'palantir', kind: 'notification' }));
    await advance();
    expect(api.calls.map((c) => c.path)).toEqual(['/api/palantir/access-requests/notification-job-status']);
  });
});
