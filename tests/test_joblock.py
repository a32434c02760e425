"""The JobRun lock on a real database file (and on SQL Server when one is configured)."""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Sequence
from datetime import timedelta

import pytest

from shared.db import Connection, connect
from shared.db.connection import Row
from shared.joblock import (
    complete_job,
    extend_lease,
    fail_job,
    get_active_job,
    get_job,
    machine_name,
    new_job_id,
    recent_jobs,
    try_acquire_lock,
)
from shared.platforms import Platform
from shared.settings import Settings

JOB = "RevokeExpiredDatabricks"
OTHER = "RevokeExpiredPalantir"
LONG = 600.0


def acquire(conn: Connection, job_type: str = JOB, timeout: float = LONG, by: str = "server-a") -> str | None:
    job_id = new_job_id()
    return job_id if try_acquire_lock(conn, job_id, job_type, by, timeout_seconds=timeout) else None


def test_first_acquire_takes_the_lock_and_shows_as_active(any_conn: Connection) -> None:
    job_id = acquire(any_conn, by="server-a")

    assert job_id is not None
    active = get_active_job(any_conn, JOB, timeout_seconds=LONG)
    assert active is not None
    assert (active.job_id, active.job_type, active.started_by, active.status) == (
        job_id, JOB, "server-a", "InProgress")
    assert active.lock_until is not None and active.lock_until > active.started_at


def test_second_acquire_of_same_type_is_refused(any_conn: Connection) -> None:
    first = acquire(any_conn, by="server-a")

    second = acquire(any_conn, by="server-b")

    assert first is not None and second is None
    active = get_active_job(any_conn, JOB, timeout_seconds=LONG)
    assert active is not None and active.job_id == first


def test_different_job_type_is_not_blocked(any_conn: Connection) -> None:
    assert acquire(any_conn, JOB) is not None

    assert acquire(any_conn, OTHER) is not None
    assert acquire(any_conn, "ExpiryNotificationDatabricks") is not None


def test_lock_is_free_again_after_completion(any_conn: Connection) -> None:
    first = acquire(any_conn)
    assert first is not None and complete_job(any_conn, first, processed=3, failed=1)

    second = acquire(any_conn)

    assert second is not None
    done = get_job(any_conn, first)
    assert done is not None and (done.status, done.processed_count, done.failed_count) == ("Completed", 3, 1)
    assert done.completed_at is not None


def test_stale_lease_is_reclaimed_and_old_run_marked_failed(any_conn: Connection) -> None:
    crashed = acquire(any_conn, timeout=0.3, by="crashed-server")
    assert crashed is not None
    assert acquire(any_conn, timeout=0.3) is None  # still within its lease
    time.sleep(0.5)

    assert get_active_job(any_conn, JOB, timeout_seconds=0.3) is None  # expired lease holds nothing
    successor = acquire(any_conn, timeout=0.3, by="server-b")

    assert successor is not None
    old = get_job(any_conn, crashed)
    assert old is not None and old.status == "Failed" and old.completed_at is not None
    assert old.error_message is not None
    assert "crashed-server" in old.error_message and successor in old.error_message


def test_row_without_lock_until_expires_one_timeout_after_its_start(
    any_conn: Connection, any_settings: Settings
) -> None:
    # Given a lock row written the SPEC's way, without a lease end (e.g. by an older release)
    legacy = acquire(any_conn, timeout=LONG)
    assert legacy is not None
    any_conn.execute_script(f"UPDATE JobRun SET Lock_Until = NULL WHERE Job_Id = '{legacy}'")

    # Then it holds for the timeout measured from Started_At, and not after
    assert acquire(any_conn, timeout=LONG) is None
    time.sleep(0.4)
    assert acquire(any_conn, timeout=0.3) is not None
    old = get_job(any_conn, legacy)
    assert old is not None and old.status == "Failed"


def test_heartbeat_keeps_a_lease_alive_past_the_timeout(any_conn: Connection) -> None:
    holder = acquire(any_conn, timeout=0.5)
    assert holder is not None

    deadline = time.monotonic() + 1.5  # three lease lengths
    while time.monotonic() < deadline:
        assert extend_lease(any_conn, holder, timeout_seconds=0.5)
        assert acquire(any_conn, timeout=0.5) is None
        time.sleep(0.1)

    active = get_active_job(any_conn, JOB, timeout_seconds=0.5)
    assert active is not None and active.job_id == holder


def test_heartbeat_after_the_lock_was_reclaimed_reports_the_loss(any_conn: Connection) -> None:
    holder = acquire(any_conn, timeout=0.2)
    assert holder is not None
    time.sleep(0.35)
    successor = acquire(any_conn, timeout=0.2)
    assert successor is not None

    assert extend_lease(any_conn, holder, timeout_seconds=0.2) is False
    active = get_active_job(any_conn, JOB, timeout_seconds=0.2)
    assert active is not None and active.job_id == successor


def test_completing_after_losing_the_lock_changes_nothing_and_is_reported(any_conn: Connection) -> None:
    loser = acquire(any_conn, timeout=0.2)
    assert loser is not None
    time.sleep(0.35)
    winner = acquire(any_conn, timeout=LONG)
    assert winner is not None

    assert complete_job(any_conn, loser, processed=5, failed=0) is False
    assert fail_job(any_conn, loser, "too late") is False

    old = get_job(any_conn, loser)
    assert old is not None and old.status == "Failed" and old.processed_count is None
    assert old.error_message is not None and "too late" not in old.error_message
    current = get_job(any_conn, winner)
    assert current is not None and current.status == "InProgress"


def test_error_text_over_500_characters_is_truncated_not_an_error(any_conn: Connection) -> None:
    job_id = acquire(any_conn)
    assert job_id is not None

    assert fail_job(any_conn, job_id, "x" * 499 + "é" + "y" * 600, processed=2, failed=1)

    failed = get_job(any_conn, job_id)
    assert failed is not None and failed.status == "Failed"
    assert failed.error_message is not None and len(failed.error_message) == 500
    assert (failed.processed_count, failed.failed_count) == (2, 1)
    assert acquire(any_conn) is not None  # failing released the lock


def test_duplicate_key_from_the_unique_index_means_not_acquired(settings: Settings) -> None:
    # Given an acquirer whose NOT EXISTS probe missed a concurrent holder (simulated by a probe
    # that never sees anything), only the filtered unique index stands in the way
    with connect(settings) as conn:
        assert acquire(conn) is not None
        probe = "WHERE Job_Type = ? AND Status = 'InProgress')"
        original = conn.dialect.statements["lock.insert_if_free"]
        assert probe in original
        blind_probe = original.replace(probe, "WHERE Job_Type = ? AND 0)")
        statements = {**conn.dialect.statements, "lock.insert_if_free": blind_probe}
        conn.dialect = dataclasses.replace(conn.dialect, statements=statements)

        # When it tries, the duplicate-key error is reported as "not acquired", never raised
        assert acquire(conn) is None


def test_the_acquire_commits_at_once_so_other_connections_see_the_lock(any_settings: Settings) -> None:
    with connect(any_settings) as first, connect(any_settings) as second:
        holder = acquire(first, by="server-a")
        assert holder is not None

        seen = get_active_job(second, JOB, timeout_seconds=LONG)

        assert seen is not None and seen.job_id == holder
        assert acquire(second, by="server-b") is None


def test_a_sub_second_lease_goes_to_the_database_as_whole_milliseconds(
    conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a recording of the durations each lock statement receives
    sent: list[tuple[str, tuple[object, ...]]] = []
    query = conn.query

    def recording(name: str, params: Sequence[object] = (), platform: Platform | None = None) -> list[Row]:
        sent.append((name, tuple(params)))
        return query(name, params, platform)

    monkeypatch.setattr(conn, "query", recording)

    # When a lock with a 0.25 s lease is taken, looked up and extended
    holder = acquire(conn, timeout=0.25)
    assert holder is not None
    job = get_job(conn, holder)
    active = get_active_job(conn, JOB, timeout_seconds=0.25)
    extended = extend_lease(conn, holder, timeout_seconds=0.25)

    # Then every duration is the int 250 (T-SQL's DATEADD takes an INT; no CAST(? * 1000 AS INT))
    position = {"lock.reclaim_stale": 2, "lock.insert_if_free": 4, "lock.active_job": 1, "lock.heartbeat": 0}
    durations = [(name, params[position[name]]) for name, params in sent if name in position]
    assert durations == [(name, 250) for name in position]
    assert all(type(ms) is int for _, ms in durations)
    # And the lease it wrote is that long
    assert job is not None and job.lock_until is not None
    assert job.lock_until - job.started_at == timedelta(milliseconds=250)
    assert active is not None and active.job_id == holder and extended


def test_a_reclaim_leaves_finished_runs_alone(any_conn: Connection) -> None:
    # Given a completed and a failed run whose leases have long ended
    completed = acquire(any_conn, timeout=0.2)
    assert completed is not None and complete_job(any_conn, completed, processed=1, failed=0)
    failed = acquire(any_conn, timeout=0.2)
    assert failed is not None and fail_job(any_conn, failed, "relay down")
    time.sleep(0.35)

    # When the next run acquires (and reclaims whatever is stale)
    assert acquire(any_conn, timeout=0.2) is not None

    # Then the finished runs keep their outcome
    done, crashed = get_job(any_conn, completed), get_job(any_conn, failed)
    assert done is not None and (done.status, done.error_message) == ("Completed", None)
    assert crashed is not None and (crashed.status, crashed.error_message) == ("Failed", "relay down")


def test_a_stale_lease_of_another_job_type_is_left_to_its_own_type(any_conn: Connection) -> None:
    # Given an expired lease of another job type
    other = acquire(any_conn, OTHER, timeout=0.2)
    assert other is not None
    time.sleep(0.35)

    # When this type's lock is taken, then the other type's row is not reclaimed by it
    assert acquire(any_conn, JOB, timeout=0.2) is not None
    untouched = get_job(any_conn, other)
    assert untouched is not None and untouched.status == "InProgress"


def test_only_the_running_job_of_the_asked_type_is_active(any_conn: Connection) -> None:
    # Given a run of another type holding its lock, and a finished run of this type within its lease
    assert acquire(any_conn, OTHER) is not None
    finished = acquire(any_conn, JOB)
    assert finished is not None and complete_job(any_conn, finished, processed=0, failed=0)

    # Then nothing of this type is active
    assert get_active_job(any_conn, JOB, timeout_seconds=LONG) is None


def test_the_acquire_sets_the_lease_one_timeout_ahead(any_conn: Connection) -> None:
    job_id = acquire(any_conn, timeout=LONG)
    assert job_id is not None

    run = get_job(any_conn, job_id)
    assert run is not None and run.lock_until is not None
    assert abs((run.lock_until - run.started_at).total_seconds() - LONG) < 5


def test_started_by_is_cut_to_the_columns_100_characters(any_conn: Connection) -> None:
    # SQLite ignores VARCHAR lengths, SQL Server rejects longer values: check the stored length
    job_id = acquire(any_conn, by="h" * 99 + "é" + "x" * 50)
    assert job_id is not None

    run = get_job(any_conn, job_id)
    assert run is not None and run.started_by == "h" * 99 + "é"


def test_machine_name_is_the_azure_instance_or_else_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: "laptop-" + "n" * 120)
    monkeypatch.delenv("WEBSITE_INSTANCE_ID", raising=False)
    monkeypatch.delenv("WEBSITE_SITE_NAME", raising=False)
    assert machine_name() == ("laptop-" + "n" * 120)[:100]

    monkeypatch.setenv("WEBSITE_INSTANCE_ID", "0123456789abcdef0123")
    assert machine_name() == "func-0123456789ab"
    monkeypatch.setenv("WEBSITE_SITE_NAME", "expiry-app")
    assert machine_name() == "expiry-app-0123456789ab"


def test_recent_jobs_lists_the_asked_types_newest_first_a_page_at_a_time(any_conn: Connection) -> None:
    runs = []
    for job_type in (JOB, OTHER, "ExpiryNotificationDatabricks", JOB):
        job_id = acquire(any_conn, job_type)
        assert job_id is not None and complete_job(any_conn, job_id, processed=0, failed=0)
        runs.append(job_id)

    newest_first = [run.job_id for run in recent_jobs(any_conn, (JOB, OTHER))]
    assert newest_first == [runs[3], runs[1], runs[0]]
    assert [run.job_id for run in recent_jobs(any_conn, (JOB, OTHER), offset=1, limit=1)] == [runs[1]]


def test_recent_jobs_gives_50_runs_unless_asked_for_another_page_size(any_conn: Connection) -> None:
    for _ in range(51):
        job_id = acquire(any_conn)
        assert job_id is not None and complete_job(any_conn, job_id, processed=0, failed=0)

    assert len(recent_jobs(any_conn, (JOB, OTHER))) == 50


def test_an_unknown_job_id_is_no_job(any_conn: Connection) -> None:
    assert get_job(any_conn, new_job_id()) is None
