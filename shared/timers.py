"""The four timer triggers: each job type on its schedule (app settings, NCRONTAB)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import azure.functions as func

from shared.joblock import STARTED_BY_MAX, machine_name
from shared.jobs.locked_run import JobBusy, JobDone
from shared.jobs.notifications import run_notification_job
from shared.jobs.revoke import run_revoke_job
from shared.mail.senders import make_sender
from shared.platforms import JobKind, Platform, all_platforms
from shared.settings import Settings, get_settings

log = logging.getLogger(__name__)

SCHEDULES = {JobKind.NOTIFICATION: "%NOTIFICATION_SCHEDULE%", JobKind.REVOKE: "%REVOKE_SCHEDULE%"}


def timer_started_by() -> str:
    return f"{machine_name()} (timer)"[-STARTED_BY_MAX:]


async def run_on_schedule(platform: Platform, kind: JobKind) -> None:
    settings = get_settings()
    outcome: JobDone[Any] | JobBusy
    if kind is JobKind.NOTIFICATION:
        outcome = await run_notification_job(settings, platform, make_sender(settings), started_by=timer_started_by())
    else:
        outcome = await run_revoke_job(settings, platform, started_by=timer_started_by())
    job_type = platform.job_type(kind)
    if isinstance(outcome, JobBusy):  # not a failure: the other run does the work
        holder = outcome.active
        log.info("%s timer: lock held by job %s of %s since %s; skipped", job_type,
                 holder.job_id if holder else "?", holder.started_by if holder else "?",
                 holder.started_at.isoformat() if holder else "?")
        return
    log.info("%s timer: job %s done%s", job_type, outcome.job_id, " (lock lost)" if outcome.lock_lost else "")


def timer_handler(platform: Platform, kind: JobKind) -> Callable[[func.TimerRequest], Awaitable[None]]:
    async def handle(timer: func.TimerRequest) -> None:
        if timer.past_due:
            log.warning("%s timer is running late", platform.job_type(kind))
        await run_on_schedule(platform, kind)

    return handle


def timer_blueprint(settings: Settings) -> func.Blueprint:
    blueprint = func.Blueprint()  # type: ignore[no-untyped-call]
    for platform in all_platforms(settings):
        for kind in JobKind:
            name = f"{platform.name}_{kind.name.lower()}_timer"
            handler = timer_handler(platform, kind)
            handler.__name__ = handler.__qualname__ = name
            trigger = blueprint.timer_trigger(schedule=SCHEDULES[kind], arg_name="timer", use_monitor=True)
            blueprint.function_name(name)(trigger(handler))
    return blueprint
