"""Flow 2: revoke exactly the expired Active requests, all or nothing, with one cutoff."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from shared import joblock
from shared.db import Connection
from shared.db.connection import Connection as ConnectionClass
from shared.jobs import revoke as revoke_module
from shared.jobs.locked_run import JobContext, JobCrashed, JobDone, WorkResult, crash_message, run_locked
from shared.jobs.revoke import RevokeReport, run_revoke_job
from shared.platforms import JobKind, Platform, all_platforms
from shared.repositories.access_requests import REVOKED_BY_SCHEDULED_JOB, get_request, list_requests
from shared.repositories.job_items import job_items
from shared.settings import Settings, load_settings
from tests.jobs_support import add_request, fields_for, work_while_others_try_the_lock

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
    assert run_row is not None and (run_row.status, run_row.processed_count, run_row.failed_count) == (
        "Completed", 3, 0)


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
    assert job_items(conn, platform, crashed.value.job_id) == []  # the outcome records went with the transaction
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

    assert str(crashed.value) == f"job {crashed.value.job_id} failed: ValueError"
    run_row = joblock.get_job(conn, crashed.value.job_id)
    assert run_row is not None and run_row.status == "Failed"
    assert run_row.error_message == crash_message(crashed.value.error_id)
    assert "bad row" not in run_row.error_message


def test_a_long_job_keeps_its_lock_by_heartbeat(conn: Connection, settings: Settings) -> None:
    # Given a lease much shorter than the job
    short = settings.model_copy(update={"job_lock_timeout_seconds": 0.4, "job_heartbeat_seconds": 0.1})
    job_type = PLATFORMS[0].job_type(JobKind.REVOKE)
    work, refused = work_while_others_try_the_lock(conn, job_type, tries=6, timeout_seconds=0.4)  # three leases

    outcome = asyncio.run(run_locked(short, job_type, "a", work))

    assert isinstance(outcome, JobDone) and outcome.lock_lost is False
    assert refused == [True] * 6


def test_a_run_holds_a_lease_that_ends_from_its_first_moment(conn: Connection, settings: Settings) -> None:
    # Given a run looking at its own lock row before any heartbeat
    seen: list[joblock.JobRun | None] = []

    async def work(context: JobContext) -> WorkResult[None]:
        seen.append(await asyncio.to_thread(joblock.get_job, conn, context.job_id))
        return WorkResult(None, processed=0, failed=0)

    asyncio.run(run_locked(settings, PLATFORMS[0].job_type(JobKind.REVOKE), "test", work))

    # Then the acquire set a lease end one timeout ahead (a NULL one would never expire)
    (row,) = seen
    assert row is not None and row.lock_until is not None
    assert abs((row.lock_until - row.started_at).total_seconds() - settings.job_lock_timeout_seconds) < 5


def test_a_run_whose_row_was_reclaimed_before_completion_reports_the_lock_lost(
    conn: Connection, settings: Settings
) -> None:
    # Given a run whose lease another server reclaims before the heartbeat (a minute away) notices
    job_type = PLATFORMS[0].job_type(JobKind.REVOKE)
    successor = joblock.new_job_id()

    async def work(context: JobContext) -> WorkResult[None]:
        conn.execute_script("UPDATE JobRun SET Lock_Until = '2000-01-01 00:00:00.000'")
        assert joblock.try_acquire_lock(conn, successor, job_type, "server-b", timeout_seconds=600)
        return WorkResult(None, processed=4, failed=0)

    outcome = asyncio.run(run_locked(settings.model_copy(update={"job_heartbeat_seconds": 60}), job_type, "a", work))

    # Then its completion was not recorded, it says so, and the successor is untouched
    assert isinstance(outcome, JobDone) and outcome.lock_lost is True
    ours = joblock.get_job(conn, outcome.job_id)
    assert ours is not None and ours.status == "Failed" and ours.processed_count is None
    theirs = joblock.get_job(conn, successor)
    assert theirs is not None and theirs.status == "InProgress"


def test_a_cancelled_run_is_marked_failed_and_the_cancellation_goes_on(conn: Connection, settings: Settings) -> None:
    # Given a run in the middle of its work
    job_ids: list[str] = []

    async def cancel_it() -> None:
        working = asyncio.Event()

        async def work(context: JobContext) -> WorkResult[None]:
            job_ids.append(context.job_id)
            working.set()
            await asyncio.sleep(3600)
            raise AssertionError("not reached")

        task = asyncio.create_task(run_locked(settings, PLATFORMS[0].job_type(JobKind.REVOKE), "test", work))
        await working.wait()
        # When the host cancels it (shutting down)
        task.cancel()
        await task

    # Then the cancellation is not swallowed, and the run is recorded Failed as "cancelled"
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancel_it())
    run_row = joblock.get_job(conn, job_ids[0])
    assert run_row is not None and (run_row.status, run_row.error_message) == ("Failed", "cancelled")


def test_a_revoke_whose_lease_lapsed_before_it_started_revokes_nothing(conn: Connection, settings: Settings) -> None:
    # Given an expired request, and a run whose lease lapses (one heartbeat before its end) during
    # the demo pause, before the heartbeat could extend it
    platform = PLATFORMS[0]
    expired = add_request(conn, platform, "gone@example.com", -1)
    lapsing = settings.model_copy(update={"job_lock_timeout_seconds": 1.0, "job_heartbeat_seconds": 0.8,
                                          "revoke_demo_delay_seconds": 0.4})

    outcome = revoke(lapsing, platform)

    # Then it revoked nothing and recorded that it stopped early
    assert outcome.value == RevokeReport(0, None, stopped_for_lost_lock=True) and outcome.lock_lost is True
    request = get_request(conn, platform, expired)
    assert request is not None and request.status == platform.active_status
    run_row = joblock.get_job(conn, outcome.job_id)
    assert run_row is not None and run_row.status == "Failed" and run_row.error_message is not None
    assert run_row.error_message.startswith("Stopped early")
    assert (run_row.processed_count, run_row.failed_count) == (0, 0)


def test_a_revoke_whose_lock_was_reclaimed_during_the_pause_revokes_nothing(
    conn: Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an expired request, and a run whose lock another server reclaims during the demo pause
    # (the heartbeat, a minute away, has not noticed)
    platform = PLATFORMS[0]
    job_type = platform.job_type(JobKind.REVOKE)
    expired = add_request(conn, platform, "gone@example.com", -1)
    successor = joblock.new_job_id()
    real_wait = asyncio.wait

    async def reclaimed_while_waiting(*args: Any, **kwargs: Any) -> Any:
        conn.execute_script("UPDATE JobRun SET Lock_Until = '2000-01-01 00:00:00.000'")
        assert joblock.try_acquire_lock(conn, successor, job_type, "server-b", timeout_seconds=600)
        return await real_wait(*args, **kwargs)

    monkeypatch.setattr(asyncio, "wait", reclaimed_while_waiting)
    paused = settings.model_copy(update={"job_heartbeat_seconds": 60, "revoke_demo_delay_seconds": 0.05})

    outcome = revoke(paused, platform)

    # Then the fence stopped the revocation: nothing revoked, the lock reported lost
    assert outcome.value == RevokeReport(0, None, stopped_for_lost_lock=True) and outcome.lock_lost is True
    request = get_request(conn, platform, expired)
    assert request is not None and request.status == platform.active_status and revocation_rows(conn, platform) == []
    theirs = joblock.get_job(conn, successor)
    assert theirs is not None and theirs.status == "InProgress"


def test_a_request_expiring_exactly_at_the_cutoff_is_revoked(
    conn: Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a request whose expiry is the very instant the job reads as its cutoff
    platform = PLATFORMS[1]
    key = add_request(conn, platform, "edge@example.com", -0.5)
    request = get_request(conn, platform, key)
    assert request is not None and request.expires_on is not None
    monkeypatch.setattr(revoke_module, "revoke_cutoff", lambda conn: request.expires_on)

    outcome = revoke(settings, platform)

    # Then it is revoked ("expired" is expiry <= now), with its revocation row
    assert outcome.value.revoked_count == 1 and outcome.value.revoked_at == request.expires_on
    revoked = get_request(conn, platform, key)
    assert revoked is not None and revoked.status == platform.revoked_status
    assert revoked.revoked_dt == request.expires_on and len(revocation_rows(conn, platform)) == 1


def test_a_revoke_on_a_lease_shorter_than_a_second_still_runs_it_only_has_to_start_in_time(
    conn: Connection, settings: Settings
) -> None:
    # The revocation's fences keep the lock however long it takes: no minimum lease is asked for
    platform = PLATFORMS[0]
    expired = add_request(conn, platform, "gone@example.com", -1)
    short = settings.model_copy(update={"job_lock_timeout_seconds": 0.8, "job_heartbeat_seconds": 0.05})

    outcome = revoke(short, platform)

    assert outcome.value.revoked_count == 1 and outcome.lock_lost is False
    request = get_request(conn, platform, expired)
    assert request is not None and request.status == platform.revoked_status


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
    items = job_items(conn, platform, outcome.job_id)
    assert {i.request_key.lower() for i in items} == expired
    assert {(i.action, i.outcome, i.at) for i in items} == {("Revoke", "Revoked", outcome.value.revoked_at)}
    assert {i.email for i in items} == {"gone0@example.com", "gone1@example.com"}
    # and each is labelled with what people know its request by, read from the request's row
    label = platform.number_field.api
    assert {i.request_label for i in items} == {fields_for(platform)[label]}

