"""Flow 2: revoke expired access for one platform, in one transaction with one cutoff."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from shared.db import Connection, connect
from shared.db.retry import retry_deadlocks
from shared.jobs.locked_run import JobBusy, JobContext, JobDone, LockLost, Work, WorkResult, run_locked
from shared.platforms import JobKind, Platform
from shared.repositories.access_requests import revoke_cutoff, revoke_expired
from shared.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RevokeReport:
    revoked_count: int
    revoked_at: datetime | None  # the cutoff, from the database clock, as stored; None if not reached
    stopped_for_lost_lock: bool = False


def revoke_now(
    settings: Settings, platform: Platform, job_id: str, fence: Callable[[Connection], None]
) -> tuple[int, datetime]:
    """Both statements in one transaction, with one cutoff read from the database clock, so a
    request expiring while the job runs is either fully revoked or left alone. A deadlock victim
    is rerun whole, with a fresh cutoff.

    `fence` runs first and last in the transaction: first so that, on SQL Server, the run's lock row
    stays locked against a reclaim while the statements run; last so that a long transaction commits
    with a fresh lease, and the run's completion that follows is not beaten by a reclaim. A run that
    has lost its lock raises there and nothing is revoked.
    """
    with connect(settings) as conn:
        return retry_deadlocks(conn, lambda: _revoke_in_one_transaction(conn, platform, job_id, fence))


def _revoke_in_one_transaction(
    conn: Connection, platform: Platform, job_id: str, fence: Callable[[Connection], None]
) -> tuple[int, datetime]:
    with conn.transaction():
        fence(conn)
        cutoff = revoke_cutoff(conn)
        count = revoke_expired(conn, platform, cutoff=cutoff, job_id=job_id)
        fence(conn)
        return count, cutoff


def revoke_work(settings: Settings, platform: Platform) -> Work[RevokeReport]:
    """Flow 2 as a locked run's work, wherever the run executes."""

    async def work(context: JobContext) -> WorkResult[RevokeReport]:
        if settings.revoke_demo_delay_seconds:
            # SPEC step 2: time to open a second tab and watch the lock hold.
            lost = asyncio.create_task(context.lock_lost.wait())
            await asyncio.wait({lost}, timeout=settings.revoke_demo_delay_seconds)
            lost.cancel()
        # However long the transaction takes, its fences keep the lock: it only has to start in time.
        stopped = WorkResult(RevokeReport(0, None, stopped_for_lost_lock=True), processed=0, failed=0)
        if not context.can_start(0):
            log.warning("%s: the lock's lease has lapsed; nothing revoked", platform.name)
            return stopped
        try:
            count, cutoff = await asyncio.to_thread(revoke_now, settings, platform, context.job_id, context.fence)
        except LockLost:
            context.lock_lost.set()
            log.warning("%s: the lock was reclaimed before the revocation committed; nothing revoked",
                        platform.name)
            return stopped
        log.info("%s: revoked %d expired requests (cutoff %s)", platform.name, count, cutoff.isoformat())
        return WorkResult(RevokeReport(count, cutoff), processed=count, failed=0)

    return work


async def run_revoke_job(
    settings: Settings, platform: Platform, *, started_by: str
) -> JobDone[RevokeReport] | JobBusy:
    return await run_locked(settings, platform.job_type(JobKind.REVOKE), started_by, revoke_work(settings, platform))
