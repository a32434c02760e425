"""The four timer triggers: each job type on its schedule (app settings, NCRONTAB)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import azure.functions as func

from shared.jobs.locked_run import JobBusy
from shared.jobs.runs import TIMER, start_run
from shared.platforms import JobKind, Platform, all_platforms
from shared.settings import Settings, get_settings

log = logging.getLogger(__name__)

SCHEDULES = {JobKind.NOTIFICATION: "%NOTIFICATION_SCHEDULE%", JobKind.REVOKE: "%REVOKE_SCHEDULE%"}


async def run_on_schedule(platform: Platform, kind: JobKind) -> None:
    """Start the run on the queue, as the admin's POST does; the run_job function executes it."""
    settings = get_settings()
    job_type = platform.job_type(kind)
    started = await start_run(settings, platform, kind, requested_by=TIMER)
    if isinstance(started, JobBusy):  # not a failure: the other run does the work
        holder = started.active
        log.info("%s timer: lock held by job %s of %s since %s; skipped", job_type,
                 holder.job_id if holder else "?", holder.started_by if holder else "?",
                 holder.started_at.isoformat() if holder else "?")
        return
    log.info("%s timer: job %s started on queue %s", job_type, started.job_id, settings.job_queue_name)


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
