"""Flow 1: which reminder each request gets, parallel sends, recording only successes."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import time
import types
from datetime import datetime
from typing import Any

import pytest

import shared.jobs.notifications as notifications_module
from shared import joblock
from shared.db import Connection, connect
from shared.db.dialect import read_datetime
from shared.jobs.locked_run import JobBusy, JobContext, JobDone
from shared.jobs.notifications import (
    SENT_BY,
    Failed,
    NotificationReport,
    PendingReminder,
    Sent,
    pending_reminders,
    reminder_due,
    run_notification_job,
)
from shared.mail.senders import FailureSimulation, SendFailed, SimulatedSender
from shared.platforms import JobKind, Platform, all_platforms
from shared.repositories.access_requests import (
    ReminderCandidate,
    list_requests,
    notification_candidates,
    record_notification,
)
from shared.repositories.job_items import job_items
from shared.repositories.reminder_claims import release_claim, take_claim
from shared.settings import Settings, load_settings
from tests.jobs_support import RecordingSender, add_request

PLATFORMS = all_platforms(load_settings())
DAYS = [0, 7, 8, 30, 31, None]
# (reminders already sent, days left) -> reminder due; anything absent is "none"
EXPECTED: dict[tuple[int, int | None], str] = {
    (0, 0): "30-Day Reminder", (0, 7): "30-Day Reminder", (0, 8): "30-Day Reminder",
    (0, 30): "30-Day Reminder", (1, 0): "7-Day Reminder", (1, 7): "7-Day Reminder",
}


def run(settings: Settings, platform: Platform, sender: object) -> JobDone[NotificationReport]:
    outcome = asyncio.run(run_notification_job(settings, platform, sender, started_by="test"))  # type: ignore[arg-type]
    assert isinstance(outcome, JobDone)
    return outcome


@pytest.mark.parametrize("sent", [0, 1, 2])
@pytest.mark.parametrize("days", DAYS)
def test_reminder_decision_table(sent: int, days: int | None) -> None:
    assert reminder_due(sent, days) == EXPECTED.get((sent, days))


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
def test_candidates_and_decisions_through_the_database_match_the_table(
    conn: Connection, platform: Platform
) -> None:
    # Given one request per (reminders sent, days left) combination
    for sent in (0, 1, 2):
        for days in DAYS:
            add_request(conn, platform, f"s{sent}-d{days}@example.com", days, reminders_sent=sent)
    add_request(conn, platform, "expired@example.com", -1)
    add_request(conn, platform, "revoked@example.com", 5, status=platform.revoked_status)

    # When the candidates are read and decided
    pending = pending_reminders(conn, platform)

    # Then exactly the table's reminders are due, with DATEDIFF's calendar-day counting
    expected = {f"s{sent}-d{days}@example.com": kind for (sent, days), kind in EXPECTED.items()}
    assert {r.request.email: r.reminder_type for r in pending} == expected
    days_left = {r.request.email: r.days_left for r in pending}
    assert days_left["s0-d0@example.com"] == 0 and days_left["s0-d30@example.com"] == 30
    assert days_left["s1-d7@example.com"] == 7 and days_left["s0-d8@example.com"] == 8
    assert len(notification_candidates(conn, platform)) == 3 * 4  # 0, 7, 8, 30 days; not 31, never


def test_a_candidate_revoked_before_its_details_are_read_is_not_reminded(
    conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two candidates, one of which is revoked between the candidate query and the details
    platform = PLATFORMS[0]
    keep = add_request(conn, platform, "keep@example.com", 3)
    gone = add_request(conn, platform, "gone@example.com", 3)

    def candidates_then_revoke(conn: Connection, platform: Platform) -> list[ReminderCandidate]:
        found = notification_candidates(conn, platform)
        conn.raw.execute(f"UPDATE {platform.requests_table} SET {platform.status_column} = ? "
                         f"WHERE {platform.key.sql} = ?", (platform.revoked_status, gone))
        return found

    monkeypatch.setattr(notifications_module, "notification_candidates", candidates_then_revoke)

    # When the pending reminders are worked out
    pending = pending_reminders(conn, platform)

    # Then only the request still Active is due
    assert [(r.request.key, r.request.email) for r in pending] == [(keep, "keep@example.com")]


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
def test_only_successful_sends_are_recorded(conn: Connection, settings: Settings, platform: Platform) -> None:
    for name in ("ann", "bob", "cid"):
        add_request(conn, platform, f"{name}@example.com", 5)
    sender = SimulatedSender(0, FailureSimulation.of(False, ["BOB@example.com"]))

    outcome = run(settings, platform, sender)

    report = outcome.value
    assert sorted(s.email for s in report.sent) == ["ann@example.com", "cid@example.com"]
    failures = [(f.email, f.error) for f in report.failures]
    assert failures == [("bob@example.com", "Simulated failure for bob@example.com")]
    counts = {r.email: (r.notification_count, r.last_notification_type) for r in
              list_requests(conn, platform, offset=0, limit=10)}
    assert counts == {"ann@example.com": (1, "30-Day Reminder"), "bob@example.com": (0, None),
                      "cid@example.com": (1, "30-Day Reminder")}
    run_row = joblock.get_job(conn, outcome.job_id)
    assert run_row is not None and (run_row.status, run_row.processed_count, run_row.failed_count) == (
        "Completed", 2, 1)


def test_a_send_that_raises_does_not_affect_the_others(conn: Connection, settings: Settings) -> None:
    platform = PLATFORMS[0]
    for name in ("ann", "bob", "cid", "dee"):
        add_request(conn, platform, f"{name}@example.com", 3)
    sender = RecordingSender(0.01, raise_for={"bob@example.com": RuntimeError("relay exploded"),
                                              "dee@example.com": SendFailed("mailbox full")})

    report = run(settings, platform, sender).value

    assert sorted(s.email for s in report.sent) == ["ann@example.com", "cid@example.com"]
    assert sorted((f.email, f.error) for f in report.failures) == [
        ("bob@example.com", "RuntimeError: relay exploded"), ("dee@example.com", "mailbox full")]


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
def test_every_send_outcome_is_recorded_for_the_run_as_it_goes(
    conn: Connection, settings: Settings, platform: Platform
) -> None:
    # Given three due reminders, one of whose sends fails
    keys = {add_request(conn, platform, f"{name}@example.com", 3): name for name in ("ann", "bob", "cid")}
    sender = RecordingSender(0.01, raise_for={"bob@example.com": SendFailed("mailbox full")})

    # When the job runs
    outcome = run(settings, platform, sender)

    # Then the run's outcome records hold each send's outcome, with the reminder and days left
    items = {i.email: i for i in job_items(conn, platform, outcome.job_id)}
    assert {email: (i.outcome, i.action, i.detail, i.days_left) for email, i in items.items()} == {
        "ann@example.com": ("Sent", "30-Day Reminder", None, 3),
        "bob@example.com": ("Failed", "30-Day Reminder", "mailbox full", 3),
        "cid@example.com": ("Sent", "30-Day Reminder", None, 3),
    }
    assert {i.request_key for i in items.values()} == {str(k) for k in keys}
    assert all(i.send_ms is not None for i in items.values())


def test_sends_run_concurrently_up_to_the_configured_cap(tmp_path: object, settings: Settings) -> None:
    platform = PLATFORMS[1]
    capped = settings.model_copy(update={"notify_max_parallel": 3})
    with connect(settings) as conn:
        for n in range(10):
            add_request(conn, platform, f"user{n}@example.com", 10)
    sender = RecordingSender(0.05)

    report = run(capped, platform, sender).value

    assert len(report.sent) == 10 and sender.max_in_flight == 3
    assert report.estimated_sequential_ms >= 10 * 50 * 0.9


def test_a_second_identical_reminder_is_impossible_even_if_attempted(conn: Connection) -> None:
    for platform in PLATFORMS:
        key = add_request(conn, platform, "twice@example.com", 5, reminders_sent=1)
        with pytest.raises(sqlite3.IntegrityError):
            record_notification(conn, platform, key, sent_to="twice@example.com", sent_by="test",
                                reminder_type="30-Day Reminder")


def test_the_email_names_platform_request_expiry_and_days_left(conn: Connection, settings: Settings) -> None:
    platform = PLATFORMS[0]
    key = add_request(conn, platform, "ann@example.com", 5)
    sender = RecordingSender()

    run(settings, platform, sender)

    (reminder,) = sender.sent
    message = reminder.to_mime()
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert message["To"] == "ann@example.com" and message["From"] == settings.email_from
    assert message["Subject"] == "30-Day Reminder: your Databricks access expires in 5 days"
    assert f"granted by request {key} expires in 5 days" in plain and f"\nRequest: {key}\n" in plain
    assert f'<th align="left">Request</th><td>{key}</td>' in html
    for body in (plain, html):
        assert "Databricks" in body and "Days left" in body


def test_a_busy_lock_is_reported_and_nothing_is_sent(conn: Connection, settings: Settings) -> None:
    platform = PLATFORMS[0]
    add_request(conn, platform, "ann@example.com", 5)
    holder = joblock.new_job_id()
    assert joblock.try_acquire_lock(conn, holder, platform.job_type(JobKind.NOTIFICATION), "other-server",
                                    timeout_seconds=600)
    sender = RecordingSender()

    outcome = asyncio.run(run_notification_job(settings, platform, sender, started_by="test"))

    assert isinstance(outcome, JobBusy) and outcome.active is not None
    assert outcome.active.job_id == holder and outcome.active.started_by == "other-server"
    assert sender.sent == []


def test_a_lock_held_by_a_row_without_a_lease_end_is_reported_with_its_holder(
    conn: Connection, settings: Settings
) -> None:
    # Given the lock held by a row written the SPEC's way, without Lock_Until (an older release)
    platform = PLATFORMS[0]
    holder = joblock.new_job_id()
    assert joblock.try_acquire_lock(conn, holder, platform.job_type(JobKind.NOTIFICATION), "old-server",
                                    timeout_seconds=600)
    conn.execute_script(f"UPDATE JobRun SET Lock_Until = NULL WHERE Job_Id = '{holder}'")

    outcome = asyncio.run(run_notification_job(settings, platform, RecordingSender(), started_by="test"))

    # Then its lease counts from its start: busy, and held by that run
    assert isinstance(outcome, JobBusy) and outcome.active is not None and outcome.active.job_id == holder


def test_losing_the_lease_mid_job_stops_new_sends_and_leaves_the_other_run_alone(
    conn: Connection, settings: Settings
) -> None:
    platform = PLATFORMS[0]
    job_type = platform.job_type(JobKind.NOTIFICATION)
    fast = settings.model_copy(update={"notify_max_parallel": 1, "job_heartbeat_seconds": 0.05,
                                       "job_lock_timeout_seconds": 30})
    for n in range(5):
        add_request(conn, platform, f"user{n}@example.com", 5)
    successor: list[str] = []

    class ReclaimingSender(RecordingSender):
        async def send(self, message: object) -> None:
            if not successor:  # another instance takes over: our lease is expired and reclaimed
                conn.execute_script("UPDATE JobRun SET Lock_Until = '2000-01-01 00:00:00.000' "
                                    "WHERE Status = 'InProgress'")
                successor.append(joblock.new_job_id())
                assert joblock.try_acquire_lock(conn, successor[0], job_type, "server-b", timeout_seconds=600)
            await asyncio.sleep(0.2)  # in flight while the heartbeat notices
            await super().send(message)  # type: ignore[arg-type]

    outcome = run(fast, platform, ReclaimingSender())

    assert outcome.lock_lost is True
    report = outcome.value
    assert len(report.sent) == 1 and report.not_started == 4  # the one in flight completed
    ours = joblock.get_job(conn, outcome.job_id)
    assert ours is not None and ours.status == "Failed" and "server-b" not in (ours.started_by or "")
    theirs = joblock.get_job(conn, successor[0])
    assert theirs is not None and theirs.status == "InProgress" and theirs.completed_at is None


def recorded_times(conn: Connection, platform: Platform) -> dict[str, datetime]:
    """When the job recorded each reminder, by recipient."""
    rows = conn.raw.execute(f"SELECT Notification_Sent_To, Notification_Sent_Dt FROM {platform.notification_table} "
                            "WHERE Notification_Sent_By = ?", (SENT_BY,)).fetchall()
    times = {to: read_datetime(sent_at) for to, sent_at in rows}
    return {to: sent_at for to, sent_at in times.items() if sent_at is not None}


def claims(conn: Connection) -> dict[str, float]:
    """The claims held, by request key: how many seconds from now each holds."""
    rows = conn.raw.execute("SELECT Request_Key, (julianday(Claimed_Until) - julianday('now')) * 86400 "
                            "FROM NotificationClaim").fetchall()
    return dict(rows)


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
def test_the_report_names_each_reminder_sent_and_failed(
    conn: Connection, settings: Settings, platform: Platform
) -> None:
    # Given a request due its 30-day reminder, one due its 7-day reminder, and one whose send fails
    ann = add_request(conn, platform, "ann@example.com", 20)
    bob = add_request(conn, platform, "bob@example.com", 5, reminders_sent=1)
    cid = add_request(conn, platform, "cid@example.com", 12)
    sender = RecordingSender(0.01, raise_for={"cid@example.com": SendFailed("mailbox full")})

    report = run(settings, platform, sender).value

    # Then the report says what was sent to whom, when (as recorded), and what failed
    recorded = recorded_times(conn, platform)
    assert sorted(recorded) == ["ann@example.com", "bob@example.com"]
    assert sorted(report.sent, key=lambda s: s.email) == [
        Sent(ann, "ann@example.com", "30-Day Reminder", 20, recorded["ann@example.com"]),
        Sent(bob, "bob@example.com", "7-Day Reminder", 5, recorded["bob@example.com"]),
    ]
    assert report.failures == [Failed(cid, "cid@example.com", "30-Day Reminder", "mailbox full")]
    assert report.not_started == 0 and report.parallel_ms >= 10 and report.estimated_sequential_ms >= 30
    assert report.speedup == round(report.estimated_sequential_ms / report.parallel_ms, 2)
    assert NotificationReport().speedup == 0.0
    assert claims(conn) == {}  # recording a reminder gives its claim up


def test_a_reminder_sent_but_not_recorded_is_reported_and_not_sent_again_while_claimed(
    conn: Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two due requests, and recording that fails for one of them
    platform = PLATFORMS[0]
    add_request(conn, platform, "ann@example.com", 20)
    bob = add_request(conn, platform, "bob@example.com", 20)

    def record_unless_bob(conn: Connection, platform: Platform, key: object, **kwargs: Any) -> Any:
        if key == bob:
            raise RuntimeError("connection dropped")
        return record_notification(conn, platform, key, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(notifications_module, "record_notification", record_unless_bob)
    sender = RecordingSender()

    outcome = run(settings, platform, sender)

    # Then bob's email went out, and the report says it was sent but not recorded
    assert sorted(m.recipient for m in sender.sent) == ["ann@example.com", "bob@example.com"]
    assert [s.email for s in outcome.value.sent] == ["ann@example.com"]
    assert outcome.value.failures == [Failed(bob, "bob@example.com", "30-Day Reminder",
                                             "Sent, but recording it failed: RuntimeError")]
    run_row = joblock.get_job(conn, outcome.job_id)
    assert run_row is not None and (run_row.processed_count, run_row.failed_count) == (1, 1)
    # its claim outlasts the send's timeout and two attempts to record (each up to the statement timeout)
    (held_for,) = claims(conn).values()
    claim_seconds = sender.timeout_seconds + 2 * settings.sql_query_timeout_seconds
    assert claim_seconds - 5 < held_for <= claim_seconds
    # and the next run does not send it again while the claim holds (it may yet be recorded)
    monkeypatch.undo()
    again = RecordingSender()
    assert run(settings, platform, again).value.sent == [] and again.sent == []


def test_a_failed_send_gives_its_claim_up_and_a_timed_out_one_keeps_it(conn: Connection, settings: Settings) -> None:
    # Given a send that fails and one that times out (it may still be delivered)
    platform = PLATFORMS[1]
    failing = add_request(conn, platform, "fails@example.com", 5)
    slow = add_request(conn, platform, "slow@example.com", 5)

    class FailOrHang(RecordingSender):
        async def send(self, message: Any) -> None:
            if message.recipient == "slow@example.com":
                await asyncio.sleep(1)
            raise SendFailed("relay refused")

    sender = FailOrHang()
    sender.timeout_seconds = 0.1
    first = run(settings, platform, sender).value
    assert sorted((f.request_key, f.error) for f in first.failures) == sorted([
        (failing, "relay refused"), (slow, "The send did not finish within 0.1 s; it may still be delivered")])

    # When the next run comes
    second = run(settings, platform, RecordingSender()).value

    # Then only the failed one is sent again
    assert [s.request_key for s in second.sent] == [failing]


def test_a_request_claimed_by_another_live_run_is_not_sent(conn: Connection, settings: Settings) -> None:
    platform = PLATFORMS[0]
    key = add_request(conn, platform, "ann@example.com", 5)
    assert take_claim(conn, platform, joblock.new_job_id(), key, "30-Day Reminder", seconds=600)
    sender = RecordingSender()

    report = run(settings, platform, sender).value

    assert sender.sent == [] and report.sent == [] and report.failures == []


def test_the_claim_of_a_run_that_died_expires_and_the_reminder_is_sent(conn: Connection, settings: Settings) -> None:
    platform = PLATFORMS[0]
    key = add_request(conn, platform, "ann@example.com", 5)
    assert take_claim(conn, platform, joblock.new_job_id(), key, "30-Day Reminder", seconds=0.05)
    time.sleep(0.1)

    report = run(settings, platform, RecordingSender()).value

    assert [s.request_key for s in report.sent] == [key]


def test_only_its_holder_releases_a_claim(conn: Connection) -> None:
    platform = PLATFORMS[1]
    key = add_request(conn, platform, "ann@example.com", 5)
    holder, other = joblock.new_job_id(), joblock.new_job_id()
    assert take_claim(conn, platform, holder, key, "30-Day Reminder", seconds=600)

    release_claim(conn, platform, other, key)
    assert not take_claim(conn, platform, other, key, "30-Day Reminder", seconds=600)

    release_claim(conn, platform, holder, key)
    assert take_claim(conn, platform, other, key, "30-Day Reminder", seconds=600)


def test_the_report_times_each_send_and_the_whole_run(
    conn: Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two due requests, one whose send fails, sent one at a time, on a clock that starts at
    # 100 s and moves 12.3456 ms each time it is read
    platform = PLATFORMS[0]
    add_request(conn, platform, "ann@example.com", 5)
    add_request(conn, platform, "bob@example.com", 6)
    reads = iter(range(1000))
    monkeypatch.setattr(notifications_module, "time", types.SimpleNamespace(
        perf_counter=lambda: 100 + next(reads) * 0.0123456))
    sender = RecordingSender(raise_for={"bob@example.com": SendFailed("mailbox full")})

    report = run(settings.model_copy(update={"notify_max_parallel": 1}), platform, sender).value

    # Then each send counts from its start to its end, the run from its first read to its last
    # (reads: run start, ann start, ann end, bob start, bob end, run end)
    assert report.estimated_sequential_ms == pytest.approx(2 * 12.3456)
    assert report.parallel_ms == round(5 * 12.3456, 1) and report.speedup == 0.4


def test_a_lease_too_short_for_a_send_starts_none(conn: Connection, settings: Settings) -> None:
    # Given a lease of 5 s and sends that may take up to 10 s each
    platform = PLATFORMS[0]
    for name in ("ann", "bob", "cid"):
        add_request(conn, platform, f"{name}@example.com", 5)
    sender = RecordingSender()
    sender.timeout_seconds = 10.0
    short = settings.model_copy(update={"job_lock_timeout_seconds": 5.0, "job_heartbeat_seconds": 1.0})

    outcome = run(short, platform, sender)

    # Then nothing was sent, each is counted as not started, and the run stopped early
    assert sender.sent == [] and outcome.value.not_started == 3 and outcome.lock_lost is True
    run_row = joblock.get_job(conn, outcome.job_id)
    assert run_row is not None and run_row.status == "Failed"


def test_a_claim_that_took_too_long_is_given_up_and_the_reminder_left_for_the_next_run(
    conn: Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a run whose lease becomes too short while each claim is taken
    platform = PLATFORMS[1]
    keys = [add_request(conn, platform, f"{name}@example.com", 5) for name in ("ann", "bob")]
    checks = iter([True, False] * 2)
    monkeypatch.setattr(JobContext, "can_start", lambda self, seconds: next(checks))
    sender = RecordingSender()

    first = run(settings.model_copy(update={"notify_max_parallel": 1}), platform, sender).value

    # Then nothing was sent, and the claims were given up: the next run sends both
    assert sender.sent == [] and first.not_started == 2
    monkeypatch.undo()
    assert sorted(str(s.request_key) for s in run(settings, platform, RecordingSender()).value.sent) == sorted(
        str(key) for key in keys)


def test_a_reminder_recorded_by_another_run_after_the_candidates_were_read_is_not_sent(
    conn: Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a previous holder of the lock that records the reminder after this run read it as due
    platform = PLATFORMS[0]
    key = add_request(conn, platform, "ann@example.com", 5)

    def read_then_recorded_elsewhere(c: Connection, p: Platform) -> list[PendingReminder]:
        due = pending_reminders(c, p)
        record_notification(conn, p, key, sent_to="ann@example.com", sent_by="server-b",
                            reminder_type="30-Day Reminder")
        return due

    monkeypatch.setattr(notifications_module, "pending_reminders", read_then_recorded_elsewhere)
    sender = RecordingSender()

    report = run(settings, platform, sender).value

    # Then the claim refused it: not sent twice, nothing failed
    assert sender.sent == [] and report.sent == [] and report.failures == []


def test_a_claim_that_cannot_be_taken_leaves_the_reminder_for_the_next_run(
    conn: Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = PLATFORMS[0]
    for name in ("ann", "bob"):
        add_request(conn, platform, f"{name}@example.com", 5)

    def unreachable(*args: Any, **kwargs: Any) -> bool:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(notifications_module, "take_claim", unreachable)
    sender = RecordingSender()

    report = run(settings, platform, sender).value

    assert sender.sent == [] and report.not_started == 2 and report.failures == []


def test_a_large_run_starts_its_sends_a_step_at_a_time_so_the_event_loop_serves_others_meanwhile() -> None:
    # Given 250 sends whose first steps are counted, and another coroutine on the same loop that
    # notes how many had started each time it got a turn
    started: list[int] = []
    seen: list[int] = []

    async def send(number: int) -> None:
        started.append(number)
        await asyncio.sleep(0)

    async def other_work(done: asyncio.Event) -> None:
        while not done.is_set():
            seen.append(len(started))
            await asyncio.sleep(0)

    async def scenario() -> None:
        done = asyncio.Event()
        watcher = asyncio.create_task(other_work(done))
        await asyncio.sleep(0)
        tasks = await notifications_module._started_in_steps(send(n) for n in range(250))
        await asyncio.gather(*tasks)
        done.set()
        await watcher

    # When they are started
    asyncio.run(scenario())

    # Then the other coroutine got turns between the steps: it never saw more than one step begin at once
    assert started == list(range(250))
    assert max(b - a for a, b in itertools.pairwise(seen)) <= notifications_module.START_STEP
