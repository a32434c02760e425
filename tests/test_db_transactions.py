"""Transactions on SQL Server's path, by fault injection: a failing rollback, deadlock victims."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared import joblock
from shared.db import MSSQL, Connection, connect, retry
from shared.db.group_commit import Write, write_batch
from shared.db.per_thread import ConnectionPerThread
from shared.db.retry import retry_deadlocks
from shared.db.sqlite import write_gate
from shared.jobs import revoke
from shared.platforms import all_platforms
from shared.settings import Settings, load_settings
from tests.conftest import make_settings, migrate
from tests.support.fake_odbc import FakeOdbcError, FakeRawConnection, deadlock_victim, link_failure, odbc_error

JOB_ID = "6f1c2b1e-0000-4000-8000-000000000001"


def mssql(raw: FakeRawConnection) -> Connection:
    return Connection(raw, MSSQL)


# --- a failing rollback ------------------------------------------------------------------------
def test_a_failing_rollback_does_not_hide_the_error_that_caused_it(caplog: pytest.LogCaptureFixture) -> None:
    # Given a connection that dies inside a transaction: rollback fails, and so does switching
    # autocommit back on (pyodbc: "Attempt to use a closed connection.")
    dropped = link_failure()
    raw = FakeRawConnection(dropped)
    conn = mssql(raw)

    # When the statement fails and the rollback fails too
    with pytest.raises(FakeOdbcError) as raised, conn.transaction():
        raw.rollback_error = link_failure()
        raw.autocommit_error = FakeOdbcError("Attempt to use a closed connection.")
        conn.query("clock.now")

    # Then the statement's error is raised, and the failed clean-up is logged
    assert raised.value is dropped
    logged = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert any(message.startswith("rollback failed") for message in logged)
    assert any(message.startswith("restoring autocommit failed") for message in logged)
    assert not conn.in_transaction


def test_a_failing_rollback_does_not_hide_an_application_error() -> None:
    raw = FakeRawConnection()
    raw.rollback_error = link_failure()

    with pytest.raises(ValueError, match="revocation mismatch"), mssql(raw).transaction():
        raise ValueError("revocation mismatch")

    assert raw.events == ["autocommit=False", "autocommit=True"]


def test_a_failed_commit_is_rolled_back_and_raised() -> None:
    # Given a transaction whose commit fails (SQLite's SQLITE_BUSY leaves the transaction open)
    raw = FakeRawConnection([{"now": datetime(2030, 1, 1)}])
    raw.commit_error = link_failure()
    conn = mssql(raw)

    # When it ends
    with pytest.raises(FakeOdbcError) as raised, conn.transaction():
        conn.query("clock.now")

    # Then it is rolled back, not left open on the connection, and the commit's error is raised
    assert raised.value is raw.commit_error
    assert raw.events == ["autocommit=False", "execute", "rollback", "autocommit=True"]
    assert not conn.in_transaction


# --- retry_deadlocks ---------------------------------------------------------------------------
def failing(*errors: Exception, result: str = "done") -> tuple[list[int], Callable[[], str]]:
    """A function that raises `errors` one per run, then returns `result`; and its run count."""
    runs = [0]
    pending = list(errors)

    def fn() -> str:
        runs[0] += 1
        if pending:
            raise pending.pop(0)
        return result

    return runs, fn


def test_a_deadlock_victim_is_rerun_with_a_growing_pause() -> None:
    runs, fn = failing(deadlock_victim(), deadlock_victim())
    slept: list[float] = []

    assert retry_deadlocks(mssql(FakeRawConnection()), fn, sleep=slept.append) == "done"

    assert runs == [3] and slept == [0.1, 0.2]


def test_a_deadlock_victim_every_time_is_raised_after_the_last_attempt() -> None:
    runs, fn = failing(*(deadlock_victim() for _ in range(3)))
    slept: list[float] = []

    with pytest.raises(FakeOdbcError, match=r"\(1205\)"):
        retry_deadlocks(mssql(FakeRawConnection()), fn, sleep=slept.append)

    assert runs == [3] and slept == [0.1, 0.2]


def test_other_errors_are_not_rerun() -> None:
    duplicate = odbc_error("23000", "Violation of PRIMARY KEY constraint 'PK_JobRun'. The duplicate key value "
                           "is (1205).", 2627)
    runs, fn = failing(duplicate)

    with pytest.raises(FakeOdbcError, match=r"\(2627\)"):
        retry_deadlocks(mssql(FakeRawConnection()), fn, sleep=lambda seconds: None)

    assert runs == [1]


def test_a_statement_inside_a_callers_transaction_is_not_rerun() -> None:
    # Given a caller's transaction (the deadlock rolled back all of it, not just this statement)
    conn = mssql(FakeRawConnection())
    runs, fn = failing(deadlock_victim())

    # When its statement is chosen as deadlock victim
    with pytest.raises(FakeOdbcError, match=r"\(1205\)"), conn.transaction():
        retry_deadlocks(conn, fn, sleep=lambda seconds: None)

    # Then the deadlock reaches the caller, whose whole transaction is the one to rerun
    assert runs == [1]


# --- where the service reruns deadlock victims -------------------------------------------------
def test_an_acquire_chosen_as_deadlock_victim_is_rerun_as_a_whole_transaction() -> None:
    # Given an acquire whose reclaim step is chosen as deadlock victim once
    raw = FakeRawConnection(deadlock_victim(), [], [{"Job_Id": JOB_ID}])

    # When acquiring
    acquired = joblock.try_acquire_lock(mssql(raw), JOB_ID, "RevokeExpiredDatabricks", "server-a",
                                        timeout_seconds=600)

    # Then the first transaction was rolled back and the whole acquire ran again and committed
    assert acquired
    assert raw.executed == [MSSQL.sql("lock.reclaim_stale")] * 2 + [MSSQL.sql("lock.insert_if_free")]
    assert raw.events == ["autocommit=False", "execute", "rollback", "autocommit=True",
                          "autocommit=False", "execute", "execute", "commit", "autocommit=True"]


@pytest.mark.parametrize(
    ("statement", "call"),
    [
        ("lock.heartbeat", lambda conn: joblock.extend_lease(conn, JOB_ID, timeout_seconds=600)),
        ("lock.complete", lambda conn: joblock.complete_job(conn, JOB_ID, processed=3, failed=0)),
        ("lock.fail", lambda conn: joblock.fail_job(conn, JOB_ID, "boom")),
    ],
    ids=["heartbeat", "complete", "fail"],
)
def test_a_lock_update_chosen_as_deadlock_victim_is_rerun(
    statement: str, call: Callable[[Connection], bool]
) -> None:
    raw = FakeRawConnection(deadlock_victim(), [{"Job_Id": JOB_ID}])

    assert call(mssql(raw))

    assert raw.executed == [MSSQL.sql(statement)] * 2


def test_a_batch_of_writes_chosen_as_deadlock_victim_is_written_again_whole(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a writer thread whose connection's first transaction is chosen as deadlock victim
    raw = FakeRawConnection(deadlock_victim(), [{"now": "first"}], [{"now": "second"}])
    conn = mssql(raw)
    connections = ConnectionPerThread(settings)
    monkeypatch.setattr(connections, "get", lambda: conn)
    monkeypatch.setattr(retry, "FIRST_BACKOFF_SECONDS", 0.0)
    now: Write = lambda c: c.query("clock.now")[0]["now"]  # noqa: E731

    # When a batch of two writes runs
    outcomes = write_batch(connections, [now, now])

    # Then the whole batch ran again in one new transaction (not split up, not failed)
    assert outcomes == ["first", "second"]
    assert raw.events == ["autocommit=False", "execute", "rollback", "autocommit=True",
                          "autocommit=False", "execute", "execute", "commit", "autocommit=True"]


def test_a_revoke_chosen_as_deadlock_victim_is_rerun_whole_with_a_fresh_cutoff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a revoke whose first INSERT is chosen as deadlock victim
    first, second = datetime(2030, 1, 1, 12, 0, 0), datetime(2030, 1, 1, 12, 0, 1)
    raw = FakeRawConnection([{"now": first}], deadlock_victim(),
                            [{"now": second}], [{"affected": 2}], [{"affected": 2}], [{"affected": 2}])
    monkeypatch.setattr(revoke, "connect", lambda settings: mssql(raw))
    platform = all_platforms(load_settings())[0]
    fenced: list[Connection] = []

    # When revoking
    count, cutoff = revoke.revoke_now(make_settings(tmp_path), platform, JOB_ID, fence=fenced.append)

    # Then the whole transaction ran again, its cutoff read again from the database clock, fenced
    # first and last each time
    assert (count, cutoff) == (2, second.replace(tzinfo=UTC))
    assert len(fenced) == 3
    assert raw.events.count("rollback") == 1 and raw.events.count("commit") == 1
    assert raw.events[-1] == "close"


def test_a_writer_of_the_same_process_gets_the_next_turn_not_the_gaps_between_another_threads_commits(
    settings: Settings,
) -> None:
    # Given a thread committing back-to-back transactions (as a run's group commit does)
    commits: list[str] = []
    inside_the_second = threading.Event()

    def back_to_back() -> None:
        with connect(settings) as conn:
            for number in range(1, 21):
                with conn.transaction():
                    conn.execute_script("UPDATE JobRun SET Status = Status WHERE 1 = 0")
                    if number == 2:
                        inside_the_second.set()
                    time.sleep(0.02)
                commits.append(f"run {number}")

    writer = threading.Thread(target=back_to_back)
    writer.start()
    # When another thread of the process asks for one transaction while the second is open
    assert inside_the_second.wait(10)
    with connect(settings) as conn, conn.transaction():
        commits.append("the other write")
    writer.join()

    # Then it is handed the turn the moment that transaction commits (or the one after), instead of
    # sleeping in SQLite's busy handler until it hits a gap between two commits
    assert commits.index("the other write") <= 3, commits


def test_a_writer_kept_waiting_at_the_gate_past_its_timeout_fails_as_the_busy_handler_would(
    tmp_path: Path,
) -> None:
    # Given a migrated file with a short statement timeout, and another writer of the process
    # holding the gate's turn (as one waiting on another process's write lock does)
    settings = make_settings(tmp_path, SQL_QUERY_TIMEOUT_SECONDS=0.2)
    migrate(settings)
    gate = write_gate(settings.sqlite_path)
    assert gate.enter(1.0)
    try:
        # When a transaction is asked for, then it fails after the timeout, as SQLite's busy handler
        # does, instead of waiting the timeout again there
        with (connect(settings) as conn,
              pytest.raises(sqlite3.OperationalError, match="database is locked"),
              conn.transaction()):
            pytest.fail("the transaction began")
        assert conn.in_transaction is False
    finally:
        gate.leave()

    # and the turn, once left, is free again rather than handed to the writer that gave up
    assert gate.enter(0.01)
    gate.leave()


def test_a_writer_handed_the_turn_after_a_wait_keeps_its_full_busy_timeout_for_the_next_transaction(
    tmp_path: Path,
) -> None:
    # Given another writer of the process holding the turn for a moment
    settings = make_settings(tmp_path, SQL_QUERY_TIMEOUT_SECONDS=5)
    migrate(settings)
    gate = write_gate(settings.sqlite_path)
    assert gate.enter(1.0)
    threading.Timer(0.1, gate.leave).start()

    # When a transaction waits for it (its BEGIN then waits in SQLite only for what is left)
    with connect(settings) as conn:
        with conn.transaction():
            pass

        # Then the connection's busy timeout is the full statement timeout again
        assert conn.raw.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
