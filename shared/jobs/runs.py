"""Runs that outlive HTTP requests (DESIGN section 5, R2): *started* by whoever asks, *executed* by
the queue-triggered `run_job`, *answered* from the run's records.

- Start: acquire the lock (recording who asked), put a RunMessage on JOB_QUEUE_NAME. The lease
  covers the time the message waits.
- Execute: on the message's first delivery the run is taken over as it is (lease extended, this
  machine in Started_By). A message delivered again means the host that had it may have died
  mid-run, or may still be running it: the run is left to its lease. Its heartbeat keeps it, and
  then the message is dropped once the run ends; or its lease runs out and a new run reclaims the
  lock and does the work (its claims keep it from re-sending what the dead run sent). A message
  whose run is unknown or no longer InProgress is dropped.
- Poisoned: the message failed on every try (poison queue); its run is marked Failed with that reason.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from shared import joblock
from shared.db.in_thread import in_db
from shared.jobs.locked_run import JobBusy, JobDone, Work, run_locked, run_taken_over, start_locked
from shared.jobs.notifications import notification_work
from shared.jobs.queue import RunMessage, open_run_queue
from shared.jobs.revoke import revoke_work
from shared.mail.senders import FailureSimulation, make_sender
from shared.platforms import JobKind, Platform, all_platforms
from shared.settings import Settings

log = logging.getLogger(__name__)

TIMER = "(timer)"
NOT_QUEUED = "The run could not be put on its queue ({error}); nothing was done"
POISONED = ("The run's queue message failed on every try and was moved to {queue}; nothing more was done "
            "(the errors are in the service log)")
# How often a waiting POST, or a redelivered message's executor, looks at the run's row.
WAIT_POLL_SECONDS = 0.25


async def start_run(
    settings: Settings, platform: Platform, kind: JobKind, *, requested_by: str,
    simulation: FailureSimulation | None = None,
) -> RunMessage | JobBusy:
    """Acquire the lock and queue the run; raises (the run marked Failed) when it cannot be queued."""
    started = await start_locked(settings, platform.job_type(kind), joblock.machine_name(), requested_by=requested_by)
    if isinstance(started, JobBusy):
        return started
    simulation = simulation or FailureSimulation()
    message = RunMessage(started, platform.name, kind, simulation.random_failures,
                         tuple(sorted(simulation.fail_emails)))
    try:
        await open_run_queue(settings.job_queue_name).send(message)
    except Exception as error:
        log.exception("job %s could not be queued on %s", started, settings.job_queue_name)
        reason = NOT_QUEUED.format(error=type(error).__name__)
        await in_db(settings, lambda conn: joblock.fail_job(conn, started, reason))
        raise
    return message


async def execute_run(settings: Settings, message: RunMessage, *, dequeue_count: int) -> JobDone[Any] | None:
    """Run what the message names; None when it is dropped (its run is unknown or over)."""
    platform = _platform(settings, message.platform)
    job_type = platform.job_type(message.kind)
    work = _work(settings, platform, message)
    if dequeue_count <= 1:
        done = await run_taken_over(settings, message.job_id, job_type, joblock.machine_name(), work)
        if done is None:
            log.info("run message for job %s dropped: the run is unknown or no longer InProgress", message.job_id)
        return done
    return await _after_redelivery(settings, message, job_type, work)


async def _after_redelivery(
    settings: Settings, message: RunMessage, job_type: str, work: Work[Any]
) -> JobDone[Any] | None:
    timeout = settings.job_lock_timeout_seconds
    while True:
        job = await in_db(settings, lambda conn: joblock.get_job(conn, message.job_id))
        if job is None or job.status != "InProgress":
            log.info("redelivered run message for job %s dropped: the run is %s", message.job_id,
                     "unknown" if job is None else job.status)
            return None
        active = await in_db(settings, lambda conn: joblock.get_active_job(
            conn, job_type, timeout_seconds=timeout))
        if active is None or active.job_id != message.job_id:
            break  # its lease has run out: whoever held it is gone
        await asyncio.sleep(min(settings.job_heartbeat_seconds, WAIT_POLL_SECONDS * 8))
    log.warning("job %s's lease ran out after its message was redelivered; a new run takes over", message.job_id)
    outcome = await run_locked(settings, job_type, joblock.machine_name(), work, requested_by=job.requested_by)
    if isinstance(outcome, JobBusy):  # another run reclaimed it first and does the work
        log.info("redelivered run message for job %s dropped: %s", message.job_id, outcome.active)
        return None
    return outcome


async def fail_poisoned(settings: Settings, message: RunMessage) -> bool:
    """Mark the run of a poisoned message Failed (fenced: a run that has ended is left alone)."""
    reason = POISONED.format(queue=f"{settings.job_queue_name}-poison")
    return await in_db(settings, lambda conn: joblock.fail_job(conn, message.job_id, reason))


async def wait_for_end(settings: Settings, job_id: str, seconds: float) -> joblock.JobRun | None:
    """The run once it is no longer InProgress, or None if it still is after `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        job: joblock.JobRun | None = await in_db(settings, lambda conn: joblock.get_job(conn, job_id))
        if job is not None and job.status != "InProgress":
            return job
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            return None
        await asyncio.sleep(min(WAIT_POLL_SECONDS, left))


def _work(settings: Settings, platform: Platform, message: RunMessage) -> Work[Any]:
    if message.kind is JobKind.REVOKE:
        return revoke_work(settings, platform)
    simulation = FailureSimulation.of(message.simulate_failures, message.fail_emails)
    return notification_work(settings, platform, make_sender(settings, simulation))


def _platform(settings: Settings, name: str) -> Platform:
    for platform in all_platforms(settings):
        if platform.name == name:
            return platform
    raise ValueError(f"run message names an unknown platform {name!r}")

