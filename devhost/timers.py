"""Timer triggers: NCRONTAB schedules and the scheduler that runs them.

Azure's timer trigger uses NCRONTAB with six fields, seconds first:
`{second} {minute} {hour} {day} {month} {day-of-week}`, evaluated in UTC here
(Azure's default without WEBSITE_TIME_ZONE). Unlike Vixie cron, NCrontab
requires day-of-month AND day-of-week to match when both are restricted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.functions.timer import TimerRequest
from croniter import CroniterError, croniter

from devhost.functions import TimerFunction
from devhost.invoke import call_user_function, new_invocation_id, stop_tasks
from devhost.settings import SettingsError, resolve_setting_references

__all__ = ["NcrontabSchedule", "ScheduledTimer", "TimerScheduler", "parse_ncrontab", "prepare_timers"]

log = logging.getLogger("devhost.timers")

NCRONTAB_FIELDS = ("second", "minute", "hour", "day", "month", "day-of-week")
# A run that starts later than this after its slot reports past_due=True.
PAST_DUE_AFTER = timedelta(seconds=1)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class NcrontabSchedule:
    expression: str

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after `moment` (an aware datetime), in UTC."""
        iterator = croniter(
            self.expression,
            moment.astimezone(UTC),
            second_at_beginning=True,
            day_or=False,
        )
        result: datetime = iterator.get_next(datetime)
        return result.astimezone(UTC)


def parse_ncrontab(expression: str) -> NcrontabSchedule:
    """Validate a six-field NCRONTAB expression (seconds first)."""
    fields = expression.split()
    if len(fields) != len(NCRONTAB_FIELDS):
        if ":" in expression and len(fields) == 1:
            raise ValueError(
                f"'{expression}' looks like a TimeSpan schedule; devhost runs NCRONTAB only "
                "(six fields: {second} {minute} {hour} {day} {month} {day-of-week})"
            )
        raise ValueError(
            f"'{expression}' has {len(fields)} fields; NCRONTAB needs six, seconds first: "
            "{second} {minute} {hour} {day} {month} {day-of-week}"
        )
    normalized = " ".join(fields)
    try:
        croniter(normalized, second_at_beginning=True, day_or=False)
    except (CroniterError, ValueError, KeyError) as exc:
        raise ValueError(f"'{expression}' is not a valid NCRONTAB expression: {exc}") from exc
    return NcrontabSchedule(normalized)


@dataclass(frozen=True)
class ScheduledTimer:
    function: TimerFunction
    schedule: NcrontabSchedule


def prepare_timers(
    functions: Sequence[TimerFunction],
    *,
    environ: Mapping[str, str],
    defaults: Mapping[str, str],
) -> list[ScheduledTimer]:
    """Resolve `%SETTING%` schedules and validate them; raises SettingsError naming the culprit."""
    prepared: list[ScheduledTimer] = []
    for function in functions:
        what = f"timer '{function.name}' schedule '{function.schedule}'"
        expression = resolve_setting_references(function.schedule, environ=environ, defaults=defaults, what=what)
        try:
            schedule = parse_ncrontab(expression)
        except ValueError as exc:
            raise SettingsError(f"{what}: {exc}") from exc
        prepared.append(ScheduledTimer(function=function, schedule=schedule))
    return prepared


class TimerScheduler:
    """One asyncio task per timer; a run is never started while the previous one is going."""

    def __init__(self, timers: Sequence[ScheduledTimer], clock: Clock = utc_now) -> None:
        self._timers = list(timers)
        self._clock = clock
        self._loops: list[asyncio.Task[None]] = []
        self._running: dict[str, asyncio.Task[None]] = {}

    def start(self) -> None:
        for timer in self._timers:
            task = asyncio.create_task(self._loop(timer), name=f"timer-{timer.function.name}")
            self._loops.append(task)

    async def stop(self, grace_seconds: float) -> None:
        """Stop scheduling, give runs in progress `grace_seconds` to finish, then abandon them."""
        await stop_tasks(self._loops, list(self._running.values()), grace_seconds=grace_seconds, what="timer run")

    async def _loop(self, timer: ScheduledTimer) -> None:
        name = timer.function.name
        previous: datetime | None = None
        if timer.function.run_on_startup:
            now = self._clock()
            self._launch(timer, scheduled=now, previous=None, past_due=False, reason="Timer fired at startup")
        due = timer.schedule.next_after(self._clock())
        while True:
            # Waiting for a deadline, not an event: asyncio sleeps on the monotonic clock,
            # so re-check the wall clock in case it woke a little early.
            while (wait := (due - self._clock()).total_seconds()) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)
            fired_at = self._clock()
            past_due = fired_at - due > PAST_DUE_AFTER
            if name in self._running:
                log.warning(
                    "Timer '%s': skipping the run due at %s; the previous run is still going",
                    name,
                    _iso(due),
                )
            else:
                reason = f"Timer fired at {_iso(fired_at)}"
                self._launch(timer, scheduled=due, previous=previous, past_due=past_due, reason=reason)
            previous = due
            # Slots missed while the loop was late are folded into this run, as the Functions runtime does.
            due = timer.schedule.next_after(max(due, fired_at))

    def _launch(
        self,
        timer: ScheduledTimer,
        *,
        scheduled: datetime,
        previous: datetime | None,
        past_due: bool,
        reason: str,
    ) -> None:
        name = timer.function.name
        now = self._clock()
        # The slot the scheduler will actually use next (missed ones are folded into this run).
        following = timer.schedule.next_after(max(scheduled, now))
        status: dict[str, Any] = {
            "Last": _iso(previous) if previous else None,
            "Next": _iso(following),
            "LastUpdated": _iso(now),
        }
        request = TimerRequest(past_due=past_due, schedule_status=status, schedule={"AdjustForDST": True})
        if past_due:
            log.warning("Timer '%s' is past due (slot %s)", name, _iso(scheduled))
        task = asyncio.create_task(self._run(timer, request, reason), name=f"{name}@{_iso(scheduled)}")
        self._running[name] = task
        task.add_done_callback(lambda _: self._running.pop(name, None))

    async def _run(self, timer: ScheduledTimer, request: TimerRequest, reason: str) -> None:
        function = timer.function
        invocation_id = new_invocation_id()
        try:
            await call_user_function(function, request, reason=reason, invocation_id=invocation_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            # One failed run must not stop the schedule.
            log.exception("Timer function '%s' failed (Id=%s)", function.name, invocation_id)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
