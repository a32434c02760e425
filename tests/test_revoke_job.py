"""Flow 2: revoke exactly the expired Active requests, all or nothing, with one cutoff."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from shared import joblock
from shared.db import Connection
from shared.db.connection import Connection as ConnectionClass
from shared.jobs.locked_run import JobContext, JobCrashed, JobDone, WorkResult, crash_message, run_locked
from shared.jobs.revoke import RevokeReport, run_revoke_job
from shared.platforms import JobKind, Platform, all_platforms
from shared.repositories.access_requests import REVOKED_BY_SCHEDULED_JOB, get_request, list_requests
from shared.repositories.job_items import job_items
from shared.settings import Settings, load_settings
from tests.jobs_support import add_request

PLATFORMS = all_platforms(load_settings())


def revoke(settings: Settings, platform: Platform) -> JobDone[RevokeReport]:
    outcome = asyncio.run(run_revoke_job(settings, platform, started_by="test"))
    assert isinstance(outcome, JobDone)
    return outcome


def revocation_rows(conn: Connection, platform: Platform) -> list[dict[str, Any]]:
    return conn.raw.execute(f"SELECT * FROM {platform.revoked_table}").fetchall()


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
def test_revoke_takes_exactly_the_expired_active_requests(
    conn: Connection, settings: Settings, platform: Platform
) -> None:
    expired = [add_request(conn, platform, f"gone{n}@example.com", -n - 0.01) for n in range(3)]
    kept = [
        add_request(conn, platform, "future@example.com", 0.5),
        add_request(conn, platform, "never@example.com", None),
        add_request(conn, platform, "already@example.com", -3, status=platform.revoked_status),
    ]

    outcome = revoke(settings, platform)

    assert outcome.value.revoked_count == 3 and outcome.value.revoked_at is not None
    for key in expired:
        request = get_request(conn, platform, key)
        assert request is not None and request.status == platform.revoked_status
        assert request.revoked_by == REVOKED_BY_SCHEDULED_JOB and request.revoked_dt == outcome.value.revoked_at
    for key in kept:
        request = get_request(conn, platform, key)
        assert request is not None and request.revoked_dt is None
    assert len(revocation_rows(conn, platform)) == 3
    run_row = joblock.get_job(conn, outcome.job_id)
    assert run_row is not None and (run_row.status, run_row.processed_count) == ("Completed", 3)


def test_nothing_to_revoke_still_takes_and_releases_the_lock(conn: Connection, settings: Settings) -> None:
    outcome = revoke(settings, PLATFORMS[0])

    assert outcome.value.revoked_count == 0
    run_row = joblock.get_job(conn, outcome.job_id)
    assert run_row is not None and (run_row.status, run_row.processed_count) == ("Completed", 0)


def test_a_failure_between_the_two_statements_changes_nothing(
    conn: Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = PLATFORMS[1]
    for n in range(4):
        add_request(conn, platform, f"gone{n}@example.com", -1)
    real = ConnectionClass.execute_count

    def failing_update(self: ConnectionClass, name: str, *args: Any, **kwargs: Any) -> int:
        if name == "revoke.mark_revoked":
            raise RuntimeError("connection dropped")
        return real(self, name, *args, **kwargs)

    monkeypatch.setattr(ConnectionClass, "execute_count", failing_update)

    with pytest.raises(JobCrashed) as crashed:
        asyncio.run(run_revoke_job(settings, platform, started_by="test"))

    assert revocation_rows(conn, platform) == []
    assert job_items(conn, crashed.value.job_id) == []  # the outcome records went with the transaction
    assert {r.status for r in list_requests(conn, platform, offset=0, limit=10)} == {platform.active_status}
    run_row = joblock.get_job(conn, crashed.value.job_id)
    assert run_row is not None and run_row.status == "Failed"
    assert run_row.error_message == crash_message(crashed.value.error_id)


def test_a_request_expiring_while_the_job_runs_is_not_half_revoked(
    conn: Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one expired request and one that expires between the two statements
    platform = PLATFORMS[0]
    expired = add_request(conn, platform, "gone@example.com", -1)
    expiring = add_request(conn, platform, "soon@example.com", 1.0 / 86400)
    real = ConnectionClass.execute_count

    def slow_between_statements(self: ConnectionClass, name: str, *args: Any, **kwargs: Any) -> int:
        if name == "revoke.mark_revoked":
            time.sleep(1.5)  # "soon" is now past expiry
        return real(self, name, *args, **kwargs)

    monkeypatch.setattr(ConnectionClass, "execute_count", slow_between_statements)

    outcome = revoke(settings, platform)

    # Then both statements used the one cutoff: "soon" has neither a revocation row nor a new status
    assert outcome.value.revoked_count == 1
    soon = get_request(conn, platform, expiring)
    assert soon is not None and soon.status == platform.active_status and soon.revoked_dt is None
    gone = get_request(conn, platform, expired)
    assert gone is not None and gone.status == platform.revoked_status
    assert len(revocation_rows(conn, platform)) == 1


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
def test_the_revoke_reports_the_cutoff_as_stored_read_between_its_fences(
    conn: Connection, settings: Settings, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an expired request, and a record of the statements each connection runs
    key = add_request(conn, platform, "gone@example.com", -1)
    ran: dict[int, list[str]] = {}
    real_query, real_count = ConnectionClass.query, ConnectionClass.execute_count

    def query(self: ConnectionClass, name: str, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        ran.setdefault(id(self), []).append(name)
        return real_query(self, name, *args, **kwargs)

    def execute_count(self: ConnectionClass, name: str, *args: Any, **kwargs: Any) -> int:
        ran.setdefault(id(self), []).append(name)
        return real_count(self, name, *args, **kwargs)

    monkeypatch.setattr(ConnectionClass, "query", query)
    monkeypatch.setattr(ConnectionClass, "execute_count", execute_count)

    # When the job revokes it
    outcome = revoke(settings, platform)

    # Then the cutoff is read as Revoked_Dt stores it (on SQL Server DATETIME, not the DATETIME2
    # clock), after the first fence and before the statements, and it is what the rows hold
    (revoking,) = [names for names in ran.values() if "revoke.mark_revoked" in names]
    assert revoking == ["lock.heartbeat", "revoke.cutoff", "revoke.insert_revocations", "revoke.insert_items",
                        "revoke.mark_revoked",
                        "lock.heartbeat"]
    gone = get_request(conn, platform, key)
    assert gone is not None and gone.revoked_dt is not None
    assert outcome.value.revoked_at == gone.revoked_dt


def test_revoke_jobs_of_the_two_platforms_do_not_block_each_other(conn: Connection, settings: Settings) -> None:
    slow = settings.model_copy(update={"revoke_demo_delay_seconds": 0.3})

    async def both() -> list[object]:
        return list(await asyncio.gather(*(run_revoke_job(slow, p, started_by="t") for p in PLATFORMS)))

    outcomes = asyncio.run(both())

    assert all(isinstance(o, JobDone) for o in outcomes)


def test_a_crashing_job_is_marked_failed_with_a_safe_message_and_its_error_id(
    conn: Connection, settings: Settings
) -> None:
    async def work(context: JobContext) -> WorkResult[None]:
        raise ValueError("bad row in the platform table")

    with pytest.raises(JobCrashed) as crashed:
        asyncio.run(run_locked(settings, PLATFORMS[0].job_type(JobKind.REVOKE), "test", work))

    run_row = joblock.get_job(conn, crashed.value.job_id)
    assert run_row is not None and run_row.status == "Failed"
    assert run_row.error_message == crash_message(crashed.value.error_id)
    assert "bad row" not in run_row.error_message


def test_a_long_job_keeps_its_lock_by_heartbeat(conn: Connection, settings: Settings) -> None:
    # Given a lease much shorter than the job
    short = settings.model_copy(update={"job_lock_timeout_seconds": 0.4, "job_heartbeat_seconds": 0.1})
    job_type = PLATFORMS[0].job_type(JobKind.REVOKE)
    refused: list[bool] = []

    async def work(context: JobContext) -> WorkResult[None]:
        for _ in range(6):  # 1.2 s: three lease lengths
            await asyncio.sleep(0.2)
            refused.append(not await asyncio.to_thread(
                joblock.try_acquire_lock, conn, joblock.new_job_id(), job_type, "b", timeout_seconds=0.4))
        return WorkResult(None, processed=0, failed=0)

    outcome = asyncio.run(run_locked(short, job_type, "a", work))

    assert isinstance(outcome, JobDone) and outcome.lock_lost is False
    assert refused == [True] * 6


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
def test_each_revocation_has_its_outcome_record_written_in_the_revoke_transaction(
    conn: Connection, settings: Settings, platform: Platform
) -> None:
    # Given two expired requests and one that is not
    expired = {str(add_request(conn, platform, f"gone{n}@example.com", -1)) for n in range(2)}
    add_request(conn, platform, "future@example.com", 3)

    # When the job revokes them
    outcome = revoke(settings, platform)

    # Then the run's outcome records name exactly the revoked requests, at the cutoff
    items = job_items(conn, outcome.job_id)
    assert {i.request_key.lower() for i in items} == expired
    assert {(i.action, i.outcome, i.at) for i in items} == {("Revoke", "Revoked", outcome.value.revoked_at)}
    assert {i.email for i in items} == {"gone0@example.com", "gone1@example.com"}

