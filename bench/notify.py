"""notify: N reminders with a simulated send delay D, through the real job, lock and sender.

The job is the real `run_notification_job` (JobRun lock, heartbeat, candidates query, parallel sends,
each send claimed and each success recorded through group commit) with the real `SimulatedSender` and
NOTIFY_MAX_PARALLEL = N, so all N sends can wait together: the ideal wall time is D plus the fixed
costs. When wall/D misses the goal (or with --profile), a second, instrumented run on fresh data
shows where the time goes. The instruments wrap the job's collaborators in this process only
(nothing in shared/ changes).
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shared.db.group_commit as group_commit_module
import shared.db.per_thread as per_thread_module
import shared.jobs.notifications as notifications_module
from bench.data import Spread, databricks, insert_requests, migrated, verdict
from shared import joblock
from shared.db import connect
from shared.jobs.locked_run import JobDone
from shared.jobs.notifications import NotificationReport, run_notification_job
from shared.mail.message import Reminder
from shared.mail.senders import EmailSender, SimulatedSender, make_sender
from shared.settings import Settings

GOAL = 1.2
MAX_PARALLEL_SETTING = 10_000  # NOTIFY_MAX_PARALLEL's upper bound in shared/settings.py

# Every request Active, never reminded, expiring 1..29 days ahead: each gets a 30-Day Reminder.
SPREAD = Spread(status="'Active'", expires_jd="now + 1 + u1 * 28")


def prepare(directory: Path, n: int, delay: float, name: str) -> Settings:
    settings = migrated(
        directory / name,
        EMAIL_MODE="simulated",
        EMAIL_SIMULATED_DELAY_SECONDS=delay,
        NOTIFY_MAX_PARALLEL=min(n, MAX_PARALLEL_SETTING),
    )
    insert_requests(settings, n, SPREAD)
    return settings


async def _timed_job(settings: Settings, sender: EmailSender) -> tuple[JobDone[NotificationReport], float]:
    started = time.perf_counter()
    outcome = await run_notification_job(settings, databricks(settings), sender, started_by="bench")
    wall = time.perf_counter() - started
    assert isinstance(outcome, JobDone), "the lock was busy on a fresh database"
    return outcome, wall


async def _event_loop_floor(n: int, delay: float, send_timeout: float) -> float:
    """The wall time of n tasks doing what every send's task does around its send (take a turn of
    NOTIFY_MAX_PARALLEL's semaphore, await D under the send timeout) and nothing else: the part of
    wall/D no change to the job can remove."""
    limit = asyncio.Semaphore(min(n, MAX_PARALLEL_SETTING))

    async def idle_send() -> None:
        async with limit:
            await asyncio.wait_for(asyncio.sleep(delay), send_timeout)

    started = time.perf_counter()
    await asyncio.gather(*(idle_send() for _ in range(n)))
    return time.perf_counter() - started


def recorded(settings: Settings, outcome: JobDone[NotificationReport]) -> tuple[int, int, str]:
    platform = databricks(settings)
    with connect(settings) as conn:
        rows, distinct = conn.raw.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT {platform.notification_fk}) FROM {platform.notification_table}"
        ).fetchone()
        run = joblock.get_job(conn, outcome.job_id)
    state = f"{run.status} processed={run.processed_count} failed={run.failed_count}" if run else "missing"
    return rows, distinct, state


def run(directory: Path, *, n: int, delay: float, profile: bool) -> None:
    settings = prepare(directory, n, delay, "notify.db")
    sender = make_sender(settings)
    assert isinstance(sender, SimulatedSender)
    outcome, wall = asyncio.run(_timed_job(settings, sender))
    ratio = wall / delay if delay else float("inf")
    report = outcome.value
    print(f"notify: N={n} D={delay}s cap={settings.notify_max_parallel} wall={wall:.2f}s "
          f"wall/D={ratio:.2f} (goal <= {GOAL}) {verdict(ratio <= GOAL)}")
    floor = asyncio.run(_event_loop_floor(n, delay, sender.timeout_seconds)) / delay if delay else float("inf")
    print(f"  floor: {n} tasks that only wait D under the send's semaphore and timeout, no message, no "
          f"database: wall/D={floor:.2f} (what this machine's event loop costs before any work)")
    rows, distinct, state = recorded(settings, outcome)
    print(f"  job report: parallelMs={report.parallel_ms:.1f} estimatedSequentialMs="
          f"{report.estimated_sequential_ms:.1f} speedup={report.speedup}x sent={len(report.sent)} "
          f"failed={len(report.failures)} notStarted={report.not_started} lockLost={outcome.lock_lost}")
    print(f"  recorded: {rows}/{n} rows in {databricks(settings).notification_table} "
          f"({distinct} distinct requests) {'OK' if rows == distinct == n else 'INCOMPLETE'}; JobRun {state}")
    if profile or ratio > GOAL:
        print("  where the time goes (a second, instrumented run on fresh data):")
        for line in profiled_run(prepare(directory, n, delay, "notify-profile.db")):
            print(f"    {line}")


Patch = tuple[Any, str, Callable[[Callable[..., Any]], Callable[..., Any]]]


@contextmanager
def _all_patched(patches: list[Patch]) -> Iterator[None]:
    with ExitStack() as stack:
        for patch in patches:
            stack.enter_context(_patched(*patch))
        yield


# --- the instrumented run -------------------------------------------------------------------------
@dataclass
class Timeline:
    job_start: float = 0.0
    job_end: float = 0.0
    candidates: tuple[float, float] = (0.0, 0.0)
    build_seconds: list[float] = field(default_factory=list)  # reminder_message, on the event loop
    send_start: dict[str, float] = field(default_factory=dict)  # by recipient
    send_end: dict[str, float] = field(default_factory=dict)
    writes: list[tuple[str, float, float, str]] = field(default_factory=list)  # recipient, start, end, thread
    connects: list[float] = field(default_factory=list)
    batches: list[float] = field(default_factory=list)  # each write_batch call (one transaction, or a split one)
    guard: threading.Lock = field(default_factory=threading.Lock)


class TimedSender:
    """The real SimulatedSender, with the time each send starts and ends."""

    def __init__(self, inner: SimulatedSender, timeline: Timeline) -> None:
        self.inner, self.timeline = inner, timeline
        self.timeout_seconds = inner.timeout_seconds

    async def send(self, message: Reminder) -> None:
        to = message.recipient
        self.timeline.send_start[to] = time.perf_counter()
        try:
            await self.inner.send(message)
        finally:
            self.timeline.send_end[to] = time.perf_counter()


@contextmanager
def _patched(module: Any, name: str, wrapper: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Iterator[None]:
    original = getattr(module, name)
    setattr(module, name, wrapper(original))
    try:
        yield
    finally:
        setattr(module, name, original)


Record = Callable[[float, float, dict[str, Any]], None]  # started, ended, the call's keyword arguments


def _timed(record: Record) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A patch wrapper that times each call of the original and hands the span to `record`."""

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                record(started, time.perf_counter(), kwargs)
        return timed

    return wrap


def _instruments(timeline: Timeline) -> list[Patch]:
    def candidates(started: float, ended: float, _: dict[str, Any]) -> None:
        timeline.candidates = (started, ended)

    def build(started: float, ended: float, _: dict[str, Any]) -> None:
        timeline.build_seconds.append(ended - started)

    def write(started: float, ended: float, kwargs: dict[str, Any]) -> None:
        with timeline.guard:
            timeline.writes.append((kwargs["sent_to"], started, ended, threading.current_thread().name))

    def batch(started: float, ended: float, _: dict[str, Any]) -> None:
        with timeline.guard:
            timeline.batches.append(ended - started)

    def opening(started: float, ended: float, _: dict[str, Any]) -> None:
        with timeline.guard:
            timeline.connects.append(ended - started)

    return [
        (notifications_module, "notification_candidates", _timed(candidates)),
        (notifications_module, "reminder_message", _timed(build)),
        (notifications_module, "record_notification", _timed(write)),
        (group_commit_module, "write_batch", _timed(batch)),
        (per_thread_module, "connect", _timed(opening)),
    ]


def profiled_run(settings: Settings) -> list[str]:
    timeline = Timeline()
    sender = make_sender(settings)
    assert isinstance(sender, SimulatedSender)

    async def job() -> None:
        timeline.job_start = time.perf_counter()
        await _timed_job(settings, TimedSender(sender, timeline))
        timeline.job_end = time.perf_counter()

    with _all_patched(_instruments(timeline)):
        asyncio.run(job())
    return describe(timeline, settings.email_simulated_delay_seconds)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _spread(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {_ms(statistics.median(ordered))}, p95 {_ms(p95)}, max {_ms(ordered[-1])}"


def describe(t: Timeline, delay: float) -> list[str]:
    starts, ends = sorted(t.send_start.values()), sorted(t.send_end.values())
    if not starts:
        return ["no sends happened"]
    write_start = min(w[1] for w in t.writes) if t.writes else ends[-1]
    write_end = max(w[2] for w in t.writes) if t.writes else ends[-1]
    queue_waits = [start - t.send_end[to] for to, start, _, _ in t.writes if to in t.send_end]
    overslept = [t.send_end[to] - t.send_start[to] - delay for to in t.send_start if to in t.send_end]
    threads = {w[3] for w in t.writes}
    wall = t.job_end - t.job_start
    return [
        f"wall {_ms(wall)} = D {_ms(delay)} + overhead {_ms(wall - delay)}:",
        f"lock acquire and setup before the candidates query: {_ms(t.candidates[0] - t.job_start)}",
        f"candidates query (notification_candidates, in a thread): {_ms(t.candidates[1] - t.candidates[0])}",
        f"building {len(t.build_seconds)} messages on the event loop (reminder_message): total "
        f"{_ms(sum(t.build_seconds))}, each {_spread(t.build_seconds)}",
        f"send starts spread over {_ms(starts[-1] - starts[0])} (first start {_ms(starts[0] - t.job_start)} "
        f"after the job start): the sends cannot all start together while messages are built",
        f"each send took D + {_spread(overslept)} (the event loop's lag after the sleep)",
        f"sends ended between {_ms(ends[0] - t.job_start)} and {_ms(ends[-1] - t.job_start)}",
        f"{len(t.writes)} reminders recorded (record_notification) in {len(t.batches)} batches of claims and "
        f"records (write_batch via "
        f"asyncio.to_thread, each {_spread(t.batches)}) on {len(threads)} threads, "
        f"{len(t.connects)} connections opened (total {_ms(sum(t.connects))}, each {_spread(t.connects)})",
        f"  each write ran {_spread([end - start for _, start, end, _ in t.writes])}",
        f"  each waited after its send for its batch to start: {_spread(queue_waits)}",
        f"  writes from {_ms(write_start - t.job_start)} to {_ms(write_end - t.job_start)}; "
        f"after the last send they ran on for {_ms(max(0.0, write_end - ends[-1]))}",
        f"completion after the last write (close connections, complete the JobRun): {_ms(t.job_end - write_end)}",
    ]
