"""Running a job under its JobRun lock: acquire, heartbeat, fenced completion, failure on crash.

The lock connection stays open for the job's life (SPEC) and is used by one thing at a time: the
acquire, then the heartbeat loop, then the completion; it is reopened when it dies. The job's own
work uses other connections. All database calls leave the event loop through asyncio.to_thread.

A lost connection is a lost lock (DESIGN section 4, R2): the run remembers when its lease was last
extended and, once `timeout - heartbeat` has passed without a successful extension, for whatever
reason (the database unreachable, a heartbeat stuck behind another writer), treats the lock as lost:
it starts nothing new (`JobContext.can_start`). Work that writes fences its own transaction with
`JobContext.fence`, so no write of a run that has lost its lock can commit. A successful extension
proves the run's row is still the InProgress lock, and only a reclaim (which marks it Failed for
ever) lets another run start: so a run whose heartbeat only stalled may go on once it succeeds.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared import joblock
from shared.db import Connection, connect
from shared.settings import Settings
from shared.telemetry import record_busy, record_run_outcome, run_span

log = logging.getLogger(__name__)

T = TypeVar("T")

STOPPED_EARLY = ("Stopped early: the lock's lease could not be extended in time, so the run started no more "
                 "work; what is left is due again on the next run")


@dataclass(frozen=True)
class JobBusy:
    """Another run of this job type holds the lock."""

    active: joblock.JobRun | None  # None: it finished between our attempt and our look


@dataclass(frozen=True)
class WorkResult(Generic[T]):
    value: T
    processed: int
    failed: int
    not_started: int = 0  # left for the next run (telemetry)


@dataclass(frozen=True)
class JobDone(Generic[T]):
    job_id: str
    value: T
    lock_lost: bool  # the lease lapsed or was reclaimed while running: work was held back, or not recorded


class LockLost(RuntimeError):
    """The run's JobRun row is no longer its InProgress lock: a fenced write must not commit."""


class Lease:
    """The lease as the run itself knows it, on its own monotonic clock (never a wall clock).

    It counts from the moment the successful extension was *sent*: the database set Lock_Until to its
    own now (no earlier than that moment) plus the timeout, so this end is never later than the
    database's. Servers' clocks may differ; elapsed time on one server does not.
    """

    def __init__(self, timeout: float, heartbeat: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.timeout = timeout
        self.heartbeat = heartbeat
        self._clock = clock
        self._extended_at = clock()

    def now(self) -> float:
        return self._clock()

    def extended(self, sent_at: float) -> None:
        self._extended_at = max(self._extended_at, sent_at)

    @property
    def ends_at(self) -> float:
        return self._extended_at + self.timeout

    @property
    def lapses_at(self) -> float:
        """When the run gives the lock up: one heartbeat before the database may reclaim it."""
        return self.ends_at - self.heartbeat

    def seconds_left(self) -> float:
        return self.ends_at - self._clock()


class JobContext:
    """What the work sees of its run: its id, and whether (and how long) it still holds the lock."""

    def __init__(self, job_id: str, lease: Lease) -> None:
        self.job_id = job_id
        self.lease = lease
        self.lock_lost = asyncio.Event()  # set once the lock is known to be another run's
        self.lapsed = False  # work was held back because the lease had run out or was too short
        # The transaction each connection last fenced in, by id(conn): the first fence of a
        # transaction locks the row to its commit, so its other writes need no fence of their own.
        self._fenced: dict[int, int] = {}

    def can_start(self, seconds: float) -> bool:
        """Whether work that may take up to `seconds` can start now and end inside the lease."""
        lease = self.lease
        if self.lock_lost.is_set():
            return False
        if lease.now() >= lease.lapses_at or lease.seconds_left() <= seconds:
            self.lapsed = True
            return False
        return True

    def fence(self, conn: Connection) -> None:
        """In the work's own transaction: extend the lease, or raise LockLost so the transaction
        rolls back. From here to the commit the run's lock row stays locked (SQL Server's row lock,
        SQLite's single writer), so no other run can reclaim it in between. It runs on a worker
        thread: whoever awaits it sets `lock_lost` (an asyncio.Event is the event loop's alone)."""
        sent_at = self.lease.now()
        if not joblock.extend_lease(conn, self.job_id, timeout_seconds=self.lease.timeout):
            raise LockLost(f"job {self.job_id} no longer holds its lock")
        self.lease.extended(sent_at)

    def fence_once(self, conn: Connection) -> None:
        """`fence`, unless this transaction has been fenced already: its first fence keeps the row
        locked to the commit, so a group-commit batch of 200 claims extends the lease once, not 200
        times. (A long transaction that must commit with a fresh lease fences again itself.)"""
        transaction = conn.transaction_id
        if transaction is not None and self._fenced.get(id(conn)) == transaction:
            return
        self.fence(conn)
        if transaction is not None:
            self._fenced[id(conn)] = transaction


def lost_its_lock(job: joblock.JobRun) -> bool:
    """Whether a finished run ended for its lock: reclaimed after its lease ran out, or stopped early."""
    message = job.error_message or ""
    return job.status == "Failed" and (message.startswith(joblock.RECLAIMED_PREFIX) or message == STOPPED_EARLY)


class JobCrashed(Exception):
    """The work raised; the run was marked Failed. `job_id` names it, `error_id` its log entry."""

    def __init__(self, job_id: str, error_id: str, cause: BaseException) -> None:
        super().__init__(f"job {job_id} failed: {type(cause).__name__}")
        self.job_id = job_id
        self.error_id = error_id


def crash_message(error_id: str) -> str:
    # Readers see JobRun.Error_Message through /{p}/jobs: exception text (server, table and column
    # names on SQL Server) goes to the log only, under this id.
    return f"Unexpected error (error id {error_id}); see the service log"


def crash_error_id(job: joblock.JobRun) -> str | None:
    """The error id of a run that crashed (its Error_Message is a crash_message), else None."""
    found = _CRASH.fullmatch(job.error_message or "") if job.status == "Failed" else None
    return found.group(1) if found else None


_CRASH = re.compile(re.escape(crash_message("ID")).replace("ID", "([0-9a-f]+)"))


class LockConnection:
    """The run's lock connection, opened for the job's life and reopened when it dies (a failover
    drops it with 08S01): the statements it runs are each safe to repeat."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._conn: Connection | None = None

    def call(self, statement: Callable[[Connection], T]) -> T:
        if self._conn is None:
            self._conn = connect(self._settings)
        try:
            return statement(self._conn)
        except Exception as error:
            if not self._conn.dialect.is_connection_error(error):
                raise
            log.warning("lock connection lost (%s); reopening it", type(error).__name__)
            self.close()
        self._conn = connect(self._settings)
        return statement(self._conn)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # a dead connection may fail to close; it is gone either way
                log.debug("closing the lock connection failed", exc_info=True)


Work = Callable[[JobContext], Awaitable[WorkResult[T]]]


async def run_locked(
    settings: Settings, job_type: str, started_by: str, work: Work[T], *, requested_by: str | None = None
) -> JobDone[T] | JobBusy:
    """Acquire the lock and run the work in this process (the direct path: tests, bench)."""
    lock = LockConnection(settings)
    try:
        job_id = joblock.new_job_id()
        lease = Lease(settings.job_lock_timeout_seconds, settings.job_heartbeat_seconds)  # from before the acquire
        acquired = await _acquire_on(lock, settings, job_id, job_type, started_by, requested_by)
        if isinstance(acquired, JobBusy):
            return acquired
        with run_span(job_type, job_id, requested_by):
            return await _run_holding_lock(settings, lock, JobContext(job_id, lease), job_type, work)
    finally:
        await asyncio.to_thread(lock.close)


async def start_locked(
    settings: Settings, job_type: str, started_by: str, *, requested_by: str | None
) -> str | JobBusy:
    """Acquire the lock for a run that another invocation executes (DESIGN section 5, R2): its
    job id, or JobBusy. The lease covers the time until the executor takes it over."""
    lock = LockConnection(settings)
    try:
        job_id = joblock.new_job_id()
        acquired = await _acquire_on(lock, settings, job_id, job_type, started_by, requested_by)
        return acquired if isinstance(acquired, JobBusy) else job_id
    finally:
        await asyncio.to_thread(lock.close)


async def run_taken_over(
    settings: Settings, job_id: str, job_type: str, started_by: str, work: Work[T]
) -> JobDone[T] | None:
    """Execute a started run under its held lock: extend the lease (naming this machine), then the
    work with heartbeat and fenced completion. None when the run is unknown or no longer InProgress."""
    lock = LockConnection(settings)
    try:
        timeout = settings.job_lock_timeout_seconds
        lease = Lease(timeout, settings.job_heartbeat_seconds)  # counted from before the extension
        taken = await asyncio.to_thread(lock.call, lambda conn: joblock.take_over(
            conn, job_id, started_by, timeout_seconds=timeout))
        if not taken:
            return None
        log.info("%s job %s taken over by %s", job_type, job_id, started_by)
        # Who asked is in the run's row (the start recorded it), not in its message
        run = await asyncio.to_thread(lock.call, lambda conn: joblock.get_job(conn, job_id))
        with run_span(job_type, job_id, run.requested_by if run is not None else None):
            return await _run_holding_lock(settings, lock, JobContext(job_id, lease), job_type, work)
    finally:
        await asyncio.to_thread(lock.close)


async def _acquire_on(
    lock: LockConnection, settings: Settings, job_id: str, job_type: str, started_by: str, requested_by: str | None
) -> JobBusy | None:
    timeout = settings.job_lock_timeout_seconds
    acquired = await asyncio.to_thread(lock.call, lambda conn: _acquire(
        conn, job_id, job_type, started_by, requested_by, timeout))
    if isinstance(acquired, JobBusy):
        log.info("%s is already running (%s); not started", job_type, acquired.active)
        record_busy(job_type)
    else:
        log.info("%s started as job %s by %s", job_type, job_id, started_by)
    return acquired


def _acquire(
    conn: Connection, job_id: str, job_type: str, started_by: str, requested_by: str | None, timeout: float
) -> JobBusy | None:
    if joblock.try_acquire_lock(conn, job_id, job_type, started_by, timeout_seconds=timeout,
                                requested_by=requested_by):
        return None
    active = joblock.get_active_job(conn, job_type, timeout_seconds=timeout)
    if active is not None and active.job_id == job_id:
        return None  # our own acquire committed before a connection died; the retry found it
    return JobBusy(active)


async def _run_holding_lock(
    settings: Settings,
    lock: LockConnection,
    context: JobContext,
    job_type: str,
    work: Work[T],
) -> JobDone[T]:
    job_id = context.job_id
    stop = asyncio.Event()
    heartbeat = asyncio.create_task(_heartbeat(settings, lock, context, stop))
    try:
        result = await work(context)
    except BaseException as error:
        stop.set()
        await heartbeat
        error_id = uuid.uuid4().hex
        log.exception("%s job %s crashed (error id %s)", job_type, job_id, error_id)
        message = crash_message(error_id) if isinstance(error, Exception) else "cancelled"
        await asyncio.shield(asyncio.to_thread(lock.call, lambda conn: joblock.fail_job(conn, job_id, message)))
        if isinstance(error, Exception):
            raise JobCrashed(job_id, error_id, error) from error
        raise
    stop.set()
    await heartbeat
    if context.lapsed and not context.lock_lost.is_set():
        # Work was held back: not a completed run. Fenced like completion, so a run that took the
        # lock over is left alone.
        await asyncio.to_thread(lock.call, lambda conn: joblock.fail_job(
            conn, job_id, STOPPED_EARLY, processed=result.processed, failed=result.failed))
        recorded = False
    else:
        recorded = await asyncio.to_thread(lock.call, lambda conn: _complete(conn, job_id, result))
    lost = context.lock_lost.is_set() or context.lapsed or not recorded
    record_run_outcome(result.processed, result.failed, result.not_started, lost)
    log.info("%s job %s finished: processed %d, failed %d%s", job_type, job_id, result.processed,
             result.failed, " (lock lost: completion not recorded)" if lost else "")
    return JobDone(job_id, result.value, lock_lost=lost)


def _complete(conn: Connection, job_id: str, result: WorkResult[T]) -> bool:
    if joblock.complete_job(conn, job_id, result.processed, result.failed):
        return True
    job = joblock.get_job(conn, job_id)  # a retry after a lost reply finds its own completion
    return job is not None and job.status == "Completed"


async def _heartbeat(settings: Settings, lock: LockConnection, context: JobContext, stop: asyncio.Event) -> None:
    """Extend the lease every JOB_HEARTBEAT_SECONDS until stopped or until the lock is lost."""
    lease = context.lease
    while not context.lock_lost.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=settings.job_heartbeat_seconds)
            return
        except TimeoutError:
            pass
        sent_at = lease.now()
        try:
            held = await asyncio.to_thread(
                lock.call, lambda conn: joblock.extend_lease(conn, context.job_id, timeout_seconds=lease.timeout)
            )
        except Exception:  # a blip: the next beat tries again; meanwhile can_start() tells the work
            # to start nothing new once the lease is too short
            log.warning("heartbeat of job %s failed; will retry", context.job_id, exc_info=True)
            continue
        if not held:
            log.error("job %s lost its lock (lease reclaimed by another run)", context.job_id)
            context.lock_lost.set()
            return
        lease.extended(sent_at)

