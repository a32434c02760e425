"""Flow 1: which reminder each request gets, parallel sends, recording only successes."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

import shared.jobs.notifications as notifications_module
from shared import joblock
from shared.db import Connection, connect
from shared.jobs.locked_run import JobBusy, JobDone
from shared.jobs.notifications import (
    NotificationReport,
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
    items = {i.email: i for i in job_items(conn, outcome.job_id)}
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
    for body in (plain, html):
        assert "Databricks" in body and str(key) in body and "Days left" in body


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
