"""The timer scheduler in-process, with a clock the test controls."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import azure.functions as func

from devhost.functions import TimerFunction
from devhost.timers import ScheduledTimer, TimerScheduler, parse_ncrontab


def scheduled(calls: list[func.TimerRequest], expression: str, run_on_startup: bool = False) -> ScheduledTimer:
    async def record(timer: func.TimerRequest) -> None:  # async: awaited on the scheduler's loop
        calls.append(timer)

    function = TimerFunction(
        name="record",
        trigger_arg="timer",
        user_function=record,
        wants_context=False,
        directory=".",
        schedule=expression,
        run_on_startup=run_on_startup,
    )
    return ScheduledTimer(function=function, schedule=parse_ncrontab(expression))


async def run_first(scheduler: TimerScheduler, calls: list[Any]) -> None:
    """Start the scheduler, wait (bounded) for its first run, stop it."""
    scheduler.start()
    try:
        async with asyncio.timeout(10):
            while not calls:  # noqa: ASYNC110 - polling a list the timer appends to
                await asyncio.sleep(0.01)
    finally:
        await scheduler.stop(grace_seconds=5)


def test_run_on_startup_invokes_once_at_start_not_past_due() -> None:
    # given a yearly timer with runOnStartup
    calls: list[func.TimerRequest] = []
    scheduler = TimerScheduler([scheduled(calls, "0 0 0 1 1 *", run_on_startup=True)])
    # when the scheduler starts
    asyncio.run(run_first(scheduler, calls))
    # then it ran once, at once, with a real TimerRequest
    assert len(calls) == 1
    assert isinstance(calls[0], func.TimerRequest)
    assert calls[0].past_due is False


def test_a_run_that_starts_late_is_past_due() -> None:
    # given an every-second timer, and a clock that jumps 5 seconds ahead once the first slot is computed
    start = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)
    readings = iter([start])

    def clock() -> datetime:
        return next(readings, start + timedelta(seconds=5))

    calls: list[func.TimerRequest] = []
    scheduler = TimerScheduler([scheduled(calls, "*/1 * * * * *")], clock=clock)
    # when the scheduler wakes for its 12:00:01 slot at 12:00:05
    asyncio.run(run_first(scheduler, calls))
    # then the run says it is past due; the missed slots are folded into it, so the next is 12:00:06
    assert calls[0].past_due is True
    assert calls[0].schedule_status["Next"] == "2024-01-01T12:00:06Z"  # type: ignore[attr-defined]
