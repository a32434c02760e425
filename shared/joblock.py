"""The JobRun lock (DESIGN section 4): one InProgress row per Job_Type, as a lease.

Acquire is one short transaction of its own, committed at once: reclaim an expired lease, then
INSERT ... WHERE NOT EXISTS. The database clock is the only clock used. Completion and failure are
fenced on the job's own InProgress row, so a job that lost its lease cannot overwrite the outcome
of the run that reclaimed it. Each call is a transaction of its own (one statement in autocommit,
or the acquire's own transaction), so one chosen as deadlock victim is simply run again.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime

from shared.db.connection import Connection, Row
from shared.db.dialect import read_datetime, read_uuid
from shared.db.retry import retry_deadlocks

log = logging.getLogger(__name__)

ERROR_MESSAGE_MAX = 500  # JobRun.Error_Message is VARCHAR(500)
STARTED_BY_MAX = 100  # JobRun.Started_By is VARCHAR(100)
REQUESTED_BY_MAX = 256  # JobRun.Requested_By is VARCHAR(256)
RECLAIMED_PREFIX = "Lock expired"  # how "lock.reclaim_stale" begins the Error_Message it writes


@dataclass(frozen=True)
class JobRun:
    job_id: str
    job_type: str
    status: str
    started_at: datetime
    started_by: str
    completed_at: datetime | None = None
    processed_count: int | None = None
    failed_count: int | None = None
    error_message: str | None = None
    lock_until: datetime | None = None
    requested_by: str | None = None  # who asked: a signed-in user's name or "(timer)" (R2)


def _job_run(row: Row) -> JobRun:
    started_at = read_datetime(row["Started_At"])
    assert started_at is not None
    return JobRun(
        job_id=read_uuid(row["Job_Id"]),
        job_type=row["Job_Type"],
        status=row["Status"],
        started_at=started_at,
        started_by=row["Started_By"],
        completed_at=read_datetime(row["Completed_At"]),
        processed_count=row["Processed_Count"],
        failed_count=row["Failed_Count"],
        error_message=row["Error_Message"],
        lock_until=read_datetime(row["Lock_Until"]),
        requested_by=row["Requested_By"],
    )


def machine_name() -> str:
    """Who holds a lock: the Azure instance id when there is one, else the host name."""
    instance = os.environ.get("WEBSITE_INSTANCE_ID", "")
    name = f"{os.environ.get('WEBSITE_SITE_NAME', 'func')}-{instance[:12]}" if instance else ""
    return (name or socket.gethostname())[:STARTED_BY_MAX]


def new_job_id() -> str:
    return str(uuid.uuid4())


def try_acquire_lock(
    conn: Connection, job_id: str, job_type: str, started_by: str, *, timeout_seconds: float,
    requested_by: str | None = None,
) -> bool:
    """Take the lock for `job_type` as `job_id`; False when another run of this type holds it.

    Must not run inside a caller's transaction: the acquire commits at once, or (on SQL Server)
    the key-range locks taken by UPDLOCK, HOLDLOCK would be held for the whole job.
    """
    job = conn.dialect.uuid_param(job_id)
    timeout_ms = conn.dialect.milliseconds_param(timeout_seconds)

    def acquire() -> tuple[list[Row], list[Row]]:
        with conn.transaction():
            reclaimed = conn.query("lock.reclaim_stale", (job, job_type, timeout_ms))
            inserted = conn.query(
                "lock.insert_if_free",
                (job, job_type, started_by[:STARTED_BY_MAX],
                 requested_by[:REQUESTED_BY_MAX] if requested_by else None, timeout_ms, job_type),
            )
        return reclaimed, inserted

    try:
        reclaimed, inserted = retry_deadlocks(conn, acquire)
    except Exception as error:
        # The filtered unique index caught a racing acquirer that passed NOT EXISTS.
        if conn.dialect.is_duplicate_key(error):
            log.info("Lock %s not acquired by %s: lost the race on the unique index", job_type, job_id)
            return False
        raise
    for row in reclaimed:
        log.warning("Lock %s: reclaimed expired lease of job %s for job %s",
                    job_type, read_uuid(row["Job_Id"]), job_id)
    return bool(inserted)


def get_active_job(conn: Connection, job_type: str, *, timeout_seconds: float) -> JobRun | None:
    """The run holding the lock now; an expired lease (awaiting reclaim) holds nothing."""
    row = conn.query_one("lock.active_job", (job_type, conn.dialect.milliseconds_param(timeout_seconds)))
    return _job_run(row) if row else None


def extend_lease(conn: Connection, job_id: str, *, timeout_seconds: float) -> bool:
    """Heartbeat: push Lock_Until one timeout ahead. False means the lock was lost."""
    params = (conn.dialect.milliseconds_param(timeout_seconds), conn.dialect.uuid_param(job_id))
    rows = retry_deadlocks(conn, lambda: conn.query("lock.heartbeat", params))
    return bool(rows)


def take_over(conn: Connection, job_id: str, started_by: str, *, timeout_seconds: float) -> bool:
    """The queued run's executor takes the held lock: extends the lease and names itself in
    Started_By. False when the run is unknown or no longer InProgress (reclaimed or finished)."""
    params = (started_by[:STARTED_BY_MAX], conn.dialect.milliseconds_param(timeout_seconds),
              conn.dialect.uuid_param(job_id))
    return bool(retry_deadlocks(conn, lambda: conn.query("lock.take_over", params)))


def complete_job(conn: Connection, job_id: str, processed: int, failed: int) -> bool:
    """Mark the run Completed. False (and nothing changed) when it no longer held the lock."""
    params = (processed, failed, conn.dialect.uuid_param(job_id))
    rows = retry_deadlocks(conn, lambda: conn.query("lock.complete", params))
    if not rows:
        log.error("Job %s finished after losing its lock; its completion was not recorded", job_id)
    return bool(rows)


def fail_job(
    conn: Connection,
    job_id: str,
    error: str,
    *,
    processed: int | None = None,
    failed: int | None = None,
) -> bool:
    """Mark the run Failed with the error (truncated to the column's 500 characters)."""
    message = error[:ERROR_MESSAGE_MAX]
    params = (message, processed, failed, conn.dialect.uuid_param(job_id))
    rows = retry_deadlocks(conn, lambda: conn.query("lock.fail", params))
    if not rows:
        log.error("Job %s failed after losing its lock: %s", job_id, message)
    return bool(rows)


def get_job(conn: Connection, job_id: str) -> JobRun | None:
    row = conn.query_one("jobs.by_id", (conn.dialect.uuid_param(job_id),))
    return _job_run(row) if row else None


def recent_jobs(
    conn: Connection, job_types: tuple[str, str], *, offset: int = 0, limit: int = 50
) -> list[JobRun]:
    rows = conn.query("jobs.recent", (*job_types, offset, limit))
    return [_job_run(row) for row in rows]
