"""Running a job under its JobRun lock: acquire, heartbeat, fenced completion, failure on crash.

The lock connection stays open for the job's life (SPEC) and is used by one thing at a time: the
acquire, then the heartbeat loop, then the completion. The job's own work uses other connections.
All database calls leave the event loop through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared import joblock
from shared.db import Connection, connect
from shared.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class JobBusy:
    """Another run of this job type holds the lock."""

    active: joblock.JobRun | None  # None: it finished between our attempt and our look


@dataclass(frozen=True)
class WorkResult(Generic[T]):
    value: T
    processed: int
    failed: int


@dataclass(frozen=True)
class JobDone(Generic[T]):
    job_id: str
    value: T
    lock_lost: bool  # the lease was lost while running: completion was not recorded


class JobContext:
    """What the work sees of its run: its id, and whether it still holds the lock."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.lock_lost = asyncio.Event()


class JobCrashed(Exception):
    """The work raised; the run was marked Failed. `job_id` names it for the logs."""

    def __init__(self, job_id: str, cause: BaseException) -> None:
        super().__init__(f"job {job_id} failed: {type(cause).__name__}")
        self.job_id = job_id


async def run_locked(
    settings: Settings,
    job_type: str,
    started_by: str,
    work: Callable[[JobContext], Awaitable[WorkResult[T]]],
) -> JobDone[T] | JobBusy:
    timeout = settings.job_lock_timeout_seconds
    lock_conn = await asyncio.to_thread(connect, settings)
    try:
        job_id = joblock.new_job_id()
        acquired = await asyncio.to_thread(
            joblock.try_acquire_lock, lock_conn, job_id, job_type, started_by, timeout_seconds=timeout
        )
        if not acquired:
            active = await asyncio.to_thread(
                joblock.get_active_job, lock_conn, job_type, timeout_seconds=timeout
            )
            log.info("%s is already running (%s); not started", job_type, active)
            return JobBusy(active)
        log.info("%s started as job %s by %s", job_type, job_id, started_by)
        return await _run_holding_lock(settings, lock_conn, job_id, job_type, work)
    finally:
        await asyncio.to_thread(lock_conn.close)


async def _run_holding_lock(
    settings: Settings,
    lock_conn: Connection,
    job_id: str,
    job_type: str,
    work: Callable[[JobContext], Awaitable[WorkResult[T]]],
) -> JobDone[T]:
    context = JobContext(job_id)
    stop = asyncio.Event()
    heartbeat = asyncio.create_task(_heartbeat(settings, lock_conn, context, stop))
    try:
        result = await work(context)
    except BaseException as error:
        stop.set()
        await heartbeat
        log.exception("%s job %s crashed", job_type, job_id)
        message = f"{type(error).__name__}: {error}" if isinstance(error, Exception) else "cancelled"
        await asyncio.shield(asyncio.to_thread(joblock.fail_job, lock_conn, job_id, message))
        if isinstance(error, Exception):
            raise JobCrashed(job_id, error) from error
        raise
    stop.set()
    await heartbeat
    recorded = await asyncio.to_thread(
        joblock.complete_job, lock_conn, job_id, result.processed, result.failed
    )
    lost = context.lock_lost.is_set() or not recorded
    log.info("%s job %s finished: processed %d, failed %d%s", job_type, job_id, result.processed,
             result.failed, " (lock lost: completion not recorded)" if lost else "")
    return JobDone(job_id, result.value, lock_lost=lost)


async def _heartbeat(
    settings: Settings, lock_conn: Connection, context: JobContext, stop: asyncio.Event
) -> None:
    """Extend the lease every JOB_HEARTBEAT_SECONDS until stopped or until the lock is lost."""
    while True:
        try:
            await asyncio.wait_for(stop.wait(), timeout=settings.job_heartbeat_seconds)
            return
        except TimeoutError:
            pass
        try:
            held = await asyncio.to_thread(
                joblock.extend_lease, lock_conn, context.job_id,
                timeout_seconds=settings.job_lock_timeout_seconds,
            )
        except Exception:  # a blip: the lease has room for more attempts (timeout >> heartbeat)
            log.warning("heartbeat of job %s failed; will retry", context.job_id, exc_info=True)
            continue
        if not held:
            log.error("job %s lost its lock (lease reclaimed by another run)", context.job_id)
            context.lock_lost.set()
            return
