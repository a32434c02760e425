"""Bounded, rate-limited notification runs (DESIGN section 5, R2): JOB_MAX_RUN_SECONDS,
EMAIL_MAX_PER_MINUTE (over a short window here) and a provider's retry-after."""

from __future__ import annotations

import asyncio
import time

from shared import joblock
from shared.db import Connection
from shared.jobs.locked_run import JobDone, run_locked
from shared.jobs.notifications import NotificationReport, notification_work, pending_reminders
from shared.mail.message import Reminder
from shared.mail.senders import SendThrottled
from shared.platforms import JobKind, all_platforms
from shared.repositories.job_items import job_items
from shared.settings import Settings, load_settings
from tests.jobs_support import RecordingSender, add_request

PLATFORM = all_platforms(load_settings())[0]


class TimedSender(RecordingSender):
    """Remembers when each send started; throttles the addresses in `throttle` that many times."""

    def __init__(self, delay: float = 0.0, throttle: dict[str, tuple[int, float]] | None = None) -> None:
        super().__init__(delay)
        self.started: list[float] = []
        self.throttle = dict(throttle or {})
        self.attempts: dict[str, int] = {}

    async def send(self, message: Reminder) -> None:
        self.started.append(time.monotonic())
        self.attempts[message.recipient] = self.attempts.get(message.recipient, 0) + 1
        times, retry_after = self.throttle.get(message.recipient, (0, 0.0))
        if self.attempts[message.recipient] <= times:
            raise SendThrottled(f"throttled; retry after {retry_after:g} s", retry_after)
        await super().send(message)


def run(settings: Settings, sender: TimedSender, window: float = 60.0) -> JobDone[NotificationReport]:
    work = notification_work(settings, PLATFORM, sender, rate_window_seconds=window)
    outcome = asyncio.run(run_locked(settings, PLATFORM.job_type(JobKind.NOTIFICATION), "test", work))
    assert isinstance(outcome, JobDone)
    return outcome


def due(conn: Connection, count: int) -> None:
    for n in range(count):
        add_request(conn, PLATFORM, f"user{n}@example.com", 10)


def test_no_window_holds_more_sends_than_the_rate_allows(conn: Connection, settings: Settings) -> None:
    # Given nine due reminders, three sends allowed per (short) window, and parallelism to spare
    due(conn, 9)
    limited = settings.model_copy(update={"email_max_per_minute": 3})
    sender = TimedSender()
    window = 0.4

    # When the run sends them
    report = run(limited, sender, window).value

    # Then all are sent, and no window of that length holds more than three starts
    assert len(report.sent) == 9
    busiest = max(sum(1 for t in sender.started if start <= t < start + window) for start in sender.started)
    assert busiest == 3


def test_the_time_budget_stops_starting_sends_and_leaves_the_rest_due(conn: Connection, settings: Settings) -> None:
    # Given eight due reminders sent one at a time, 0.2 s each, and a budget of 0.5 s
    due(conn, 8)
    bounded = settings.model_copy(update={"job_max_run_seconds": 0.5, "notify_max_parallel": 1})

    # When the run goes
    outcome = run(bounded, TimedSender(0.2))

    # Then it sends some, starts no more once the budget is spent, and says how many it left
    report = outcome.value
    assert 0 < len(report.sent) < 8 and report.not_started == 8 - len(report.sent)
    items = job_items(conn, PLATFORM, outcome.job_id)
    assert sum(1 for i in items if i.outcome == "NotStarted") == report.not_started
    # and those are due for the next run; the run itself completed
    assert len(pending_reminders(conn, PLATFORM)) == report.not_started
    run_row = joblock.get_job(conn, outcome.job_id)
    assert run_row is not None and run_row.status == "Completed"


def test_a_throttled_send_is_tried_again_after_the_provider_s_retry_after(conn: Connection, settings: Settings) -> None:
    # Given a provider that throttles one address twice, asking for 0.1 s each time
    due(conn, 2)
    sender = TimedSender(throttle={"user0@example.com": (2, 0.1)})

    # When the run sends
    report = run(settings, sender).value

    # Then that address got its reminder on the third try, and nothing failed
    assert sorted(s.email for s in report.sent) == ["user0@example.com", "user1@example.com"]
    assert report.failures == [] and sender.attempts["user0@example.com"] == 3


def test_a_retry_after_beyond_the_budget_is_a_failure_and_the_request_stays_due(
    conn: Connection, settings: Settings
) -> None:
    # Given a provider asking to wait longer than the run's budget
    due(conn, 1)
    bounded = settings.model_copy(update={"job_max_run_seconds": 5})
    sender = TimedSender(throttle={"user0@example.com": (1, 60.0)})

    # When the run sends
    report = run(bounded, sender).value

    # Then the send failed with the reason, was not retried, and the reminder is still due
    assert [f.error for f in report.failures] == [
        "throttled; retry after 60 s"]
    assert sender.attempts["user0@example.com"] == 1
    assert len(pending_reminders(conn, PLATFORM)) == 1
