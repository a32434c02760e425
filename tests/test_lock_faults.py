"""The lock when the database misbehaves (DESIGN section 4, R2), by fault injection on real SQLite files:
a long write on another "server" starving heartbeats, a lock connection that dies mid-run, heartbeats
that keep failing, and statements blocked or running past the statement timeout."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import shared.jobs.locked_run as locked_run_module
from shared import joblock
from shared.db import Connection, connect
from shared.jobs.locked_run import JobContext, JobDone, WorkResult, run_locked
from shared.jobs.notifications import run_notification_job
from shared.mail.message import Reminder
from shared.platforms import JobKind, all_platforms
from shared.settings import Settings, load_settings
from tests.jobs_support import RecordingSender, add_request, work_while_others_try_the_lock

PLATFORM = all_platforms(load_settings())[0]
NOTIFY = PLATFORM.job_type(JobKind.NOTIFICATION)
REVOKE = PLATFORM.job_type(JobKind.REVOKE)
REPO = Path(__file__).resolve().parent.parent


class TimedSender(RecordingSender):
    """Remembers when each send started (CLOCK_MONOTONIC, comparable with other processes')."""

    def __init__(self, delay: float) -> None:
        super().__init__(delay)
        self.starts: list[tuple[str, float]] = []

    async def send(self, message: Reminder) -> None:
        self.starts.append((message.recipient, time.monotonic()))
        await super().send(message)


def block_writes(settings: Settings, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """Another process takes the database's write lock and holds it for `seconds`."""
    return subprocess.Popen([sys.executable, "-m", "tests.support.write_blocker", settings.sqlite_path,
                             str(seconds), str(out)], cwd=REPO)


def blocker_times(out: Path) -> dict[str, Any]:
    times: dict[str, Any] = {}
    for line in out.read_text().splitlines():
        times.update(json.loads(line))
    return times


def wait_until(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def recorded_emails(conn: Connection) -> Counter[str]:
    rows = conn.raw.execute(f"SELECT Notification_Sent_To FROM {PLATFORM.notification_table}").fetchall()
    return Counter(row[0] for row in rows)


def test_a_long_write_on_another_server_starving_heartbeats_never_sends_an_email_twice(
    conn: Connection, settings: Settings, tmp_path: Path
) -> None:
    # Given a notification run with 30 reminders to send two at a time, on a 2 s lease
    lease, heartbeat, query_timeout, delay = 2.0, 0.5, 8.0, 0.25
    fast = settings.model_copy(update={"job_lock_timeout_seconds": lease, "job_heartbeat_seconds": heartbeat,
                                       "sql_query_timeout_seconds": query_timeout, "notify_max_parallel": 2})
    for n in range(30):
        add_request(conn, PLATFORM, f"user{n:02}@example.com", 10)
    first = TimedSender(delay)
    outcomes: list[Any] = []
    runner = threading.Thread(target=lambda: outcomes.append(
        asyncio.run(run_notification_job(fast, PLATFORM, first, started_by="server-a"))))
    runner.start()
    wait_until(lambda: len(first.sent) >= 4)

    # When, mid-run, another server holds the write lock for longer than the lease (3 s > 2 s), then
    # at once runs the notification job itself (finding the first run's lease expired)
    log = tmp_path / "takeover.jsonl"
    other = subprocess.Popen([sys.executable, "-m", "tests.support.takeover_server", fast.sqlite_path, "3.0",
                              str(log), str(lease), str(heartbeat), str(query_timeout), str(delay)], cwd=REPO)
    assert other.wait(timeout=120) == 0
    runner.join(timeout=120)
    assert not runner.is_alive()

    # Then no one got a reminder twice, and every reminder sent was recorded
    block = blocker_times(log)
    second_sent: list[str] = block["sent"]  # type: ignore[assignment]
    sends = Counter([m.recipient for m in first.sent] + second_sent)
    (outcome,) = outcomes
    print(f"\nstarved heartbeats: first run sent {len(first.sent)} (lockLost={outcome.lock_lost}, not started "
          f"{outcome.value.not_started}), the server that took over sent {len(second_sent)}, "
          f"duplicates {sum(c - 1 for c in sends.values())}")
    assert block["ran"] and max(sends.values()) == 1
    assert recorded_emails(conn) == sends
    # and the first run started no send in the blocked time past its lease: it stopped within one
    late = [at for _, at in first.starts if block["taken"] + lease < at < block["released"]]
    assert late == []


def test_a_lock_connection_that_dies_mid_run_is_reopened_and_the_run_completes(
    conn: Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a run on a short lease whose lock connection we can reach
    short = settings.model_copy(update={"job_lock_timeout_seconds": 1.0, "job_heartbeat_seconds": 0.2})
    opened: list[Connection] = []

    def tracked_connect(s: Settings) -> Connection:
        opened.append(connect(s))
        return opened[-1]

    monkeypatch.setattr(locked_run_module, "connect", tracked_connect)
    # 1.6 s: longer than the lease, so only heartbeats on a new connection keep it
    others_try, refused = work_while_others_try_the_lock(conn, REVOKE, tries=8, timeout_seconds=1.0)

    async def work(context: JobContext) -> WorkResult[None]:
        # When the lock connection dies (closed under the run, as a failover drops it)
        opened[0].raw.close()
        await others_try(context)
        return WorkResult(None, processed=3, failed=0)

    outcome = asyncio.run(run_locked(short, REVOKE, "a", work))

    # Then the connection was reopened, nobody could take the lock, and the run completed
    assert len(opened) >= 2
    assert refused == [True] * 8
    assert isinstance(outcome, JobDone) and outcome.lock_lost is False
    run = joblock.get_job(conn, outcome.job_id)
    assert run is not None and (run.status, run.processed_count) == ("Completed", 3)
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):  # and the new one closed at the end
        opened[-1].raw.execute("SELECT 1")


def test_heartbeats_that_keep_failing_stop_the_work_within_one_lease_and_report_the_lock_lost(
    conn: Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a run whose every lease extension fails (the database unreachable from its connection)
    short = settings.model_copy(update={"job_lock_timeout_seconds": 1.0, "job_heartbeat_seconds": 0.2})
    attempts = {"n": 0}

    def unreachable(c: Connection, job_id: str, *, timeout_seconds: float) -> bool:
        attempts["n"] += 1
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(joblock, "extend_lease", unreachable)

    async def work(context: JobContext) -> WorkResult[int]:
        steps = 0  # small steps of work, each started only while the lease allows it
        while steps < 100 and context.can_start(0.0):  # 100 steps: 5 s, five lease lengths
            await asyncio.sleep(0.05)
            steps += 1
        return WorkResult(steps, processed=steps, failed=2)  # 2: any count, recorded as given

    # When it works for longer than the lease
    outcome = asyncio.run(run_locked(short, REVOKE, "a", work))

    # Then it stopped starting work once the lease was spent, said so, and the run is not Completed
    assert isinstance(outcome, JobDone) and outcome.lock_lost is True
    assert outcome.value < 100 and attempts["n"] >= 2
    run = joblock.get_job(conn, outcome.job_id)
    assert run is not None and run.status == "Failed" and run.error_message is not None
    assert run.error_message.startswith("Stopped early")
    assert (run.processed_count, run.failed_count) == (outcome.value, 2)


def test_a_heartbeat_that_fails_once_is_retried_and_the_lease_holds(
    conn: Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a heartbeat whose first attempt fails (a blip)
    short = settings.model_copy(update={"job_lock_timeout_seconds": 0.8, "job_heartbeat_seconds": 0.1})
    original = joblock.extend_lease
    calls = {"n": 0}

    def flaky(c: Connection, job_id: str, *, timeout_seconds: float) -> bool:
        calls["n"] += 1
        if calls["n"] == 1:
            raise sqlite3.OperationalError("database is locked")
        return original(c, job_id, timeout_seconds=timeout_seconds)

    monkeypatch.setattr(joblock, "extend_lease", flaky)
    work, refused = work_while_others_try_the_lock(conn, REVOKE, tries=8, timeout_seconds=0.8)  # two leases

    # When a job outlives the lease
    outcome = asyncio.run(run_locked(short, REVOKE, "a", work))

    # Then later heartbeats kept the lock: nobody took it, and the run completed normally
    assert calls["n"] > 2 and refused == [True] * 8
    assert isinstance(outcome, JobDone) and outcome.lock_lost is False


def test_a_statement_waiting_on_another_writer_fails_at_the_statement_timeout(
    conn: Connection, settings: Settings, tmp_path: Path
) -> None:
    # Given a run's lock row, and another server holding the write lock for 4 s
    job_id = joblock.new_job_id()
    assert joblock.try_acquire_lock(conn, job_id, REVOKE, "a", timeout_seconds=600)
    log = tmp_path / "blocker.jsonl"
    blocker = block_writes(settings, 4.0, log)
    wait_until(lambda: log.exists() and "taken" in blocker_times(log))

    # When a heartbeat runs with a 0.5 s statement timeout
    with connect(settings.model_copy(update={"sql_query_timeout_seconds": 0.5})) as short:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            joblock.extend_lease(short, job_id, timeout_seconds=600)

        # Then it failed while the other writer still held the lock: it did not wait it out
        assert "released" not in blocker_times(log)
    assert blocker.wait(timeout=30) == 0


def test_a_statement_running_past_the_timeout_is_interrupted(settings: Settings) -> None:
    # Given a statement that would run for many seconds
    endless = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000000) "
               "SELECT COUNT(*) AS total FROM n")
    with connect(settings.model_copy(update={"sql_query_timeout_seconds": 0.3})) as conn:
        conn.dialect = dataclasses.replace(conn.dialect, statements={**conn.dialect.statements, "slow": endless})

        # When it runs with a 0.3 s statement timeout, then Then it is interrupted
        with pytest.raises(sqlite3.OperationalError, match="interrupted"):
            conn.query("slow")

        # and the connection is still good for the next statement
        assert conn.query_one("clock.now") is not None


@pytest.mark.parametrize("statement", ["try_acquire_lock", "complete_job"])
def test_a_lock_write_whose_reply_was_lost_finds_its_own_write_on_the_reopened_connection(
    conn: Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch, statement: str
) -> None:
    # Given an acquire (or a completion) that commits, after which the lock connection dies before the reply
    original = getattr(joblock, statement)
    calls = {"n": 0}

    def committed_then_lost(c: Connection, *args: Any, **kwargs: Any) -> bool:
        calls["n"] += 1
        done: bool = original(c, *args, **kwargs)
        if calls["n"] == 1:
            c.raw.close()
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        return done

    monkeypatch.setattr(joblock, statement, committed_then_lost)

    async def work(context: JobContext) -> WorkResult[None]:
        return WorkResult(None, processed=7, failed=1)

    # When the run goes through
    outcome = asyncio.run(run_locked(settings, REVOKE, "a", work))

    # Then the retry on a new connection found what the first attempt wrote (its lock, or its
    # completion), and the run went on as if the reply had come: recorded, lock not lost
    assert calls["n"] == 2
    assert isinstance(outcome, JobDone) and outcome.lock_lost is False
    run = joblock.get_job(conn, outcome.job_id)
    assert run is not None and (run.status, run.processed_count, run.failed_count) == ("Completed", 7, 1)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_work_may_start_only_while_it_can_end_inside_the_lease() -> None:
    # Given a 10 s lease with a 2 s heartbeat, on a clock the test moves
    clock = FakeClock()
    context = JobContext("job", locked_run_module.Lease(10.0, 2.0, clock))
    assert context.lapsed is False

    # Then work that fits starts; work as long as what is left of the lease does not
    assert context.can_start(5.0) and context.lease.seconds_left() == 10.0
    assert not context.can_start(10.0) and context.lapsed is True

    # and one heartbeat before the lease ends nothing starts any more, however short
    clock.now = 7.9
    assert context.can_start(0.0)
    clock.now = 8.0
    assert not context.can_start(0.0)

    # until an extension (counted from when it was sent) pushes the end on
    context.lease.extended(7.0)
    context.lease.extended(6.0)  # a reply arriving late never moves it back
    assert context.lease.ends_at == 17.0 and context.can_start(0.0)


def test_no_work_starts_once_the_lock_is_known_lost() -> None:
    context = JobContext("job", locked_run_module.Lease(600.0, 60.0))
    context.lock_lost.set()

    assert not context.can_start(0.0) and context.lapsed is False


def test_a_fence_extends_the_lease_or_refuses_for_a_run_that_lost_its_lock(conn: Connection) -> None:
    # Given a run's lock row and its context
    job_id = joblock.new_job_id()
    assert joblock.try_acquire_lock(conn, job_id, REVOKE, "a", timeout_seconds=600)
    clock = FakeClock()
    context = JobContext(job_id, locked_run_module.Lease(600.0, 60.0, clock))
    conn.execute_script(f"UPDATE JobRun SET Lock_Until = '2000-01-01 00:00:00.000' WHERE Job_Id = '{job_id}'")

    # When a fence runs (its lease not yet reclaimed), then it pushes the lease a timeout ahead
    clock.now = 100.0
    context.fence(conn)
    run = joblock.get_job(conn, job_id)
    assert run is not None and run.lock_until is not None
    assert run.lock_until - run.started_at > timedelta(seconds=590)
    assert context.lease.ends_at == 700.0

    # and once another run has reclaimed the row, it raises
    conn.execute_script(f"UPDATE JobRun SET Status = 'Failed' WHERE Job_Id = '{job_id}'")
    with pytest.raises(locked_run_module.LockLost, match=f"job {job_id} no longer holds its lock"):
        context.fence(conn)


def test_fence_once_extends_the_lease_once_per_transaction_and_checks_again_in_the_next(
    conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a run's lock row, its context, and a count of the lease extensions sent
    job_id = joblock.new_job_id()
    assert joblock.try_acquire_lock(conn, job_id, REVOKE, "a", timeout_seconds=600)
    context = JobContext(job_id, locked_run_module.Lease(600.0, 60.0))
    extensions: list[str] = []
    extend = joblock.extend_lease

    def counted(c: Connection, job: str, *, timeout_seconds: float) -> bool:
        extensions.append(job)
        return extend(c, job, timeout_seconds=timeout_seconds)

    monkeypatch.setattr(joblock, "extend_lease", counted)

    # When three writes of one transaction each fence once, then one extension covers them all
    with conn.transaction():
        for _ in range(3):
            context.fence_once(conn)
    assert len(extensions) == 1

    # and the next transaction is fenced anew: once the row is reclaimed, its first write raises
    conn.execute_script(f"UPDATE JobRun SET Status = 'Failed' WHERE Job_Id = '{job_id}'")
    with pytest.raises(locked_run_module.LockLost), conn.transaction():
        context.fence_once(conn)
    assert len(extensions) == 2
