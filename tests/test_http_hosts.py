"""The API over real HTTP, served by `python -m devhost` processes sharing one database file."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.devhost.harness import DevhostProcess, wait_until
from tests.hosts import Hosts
from tests.http_support import principal

BODIES = {
    "databricks": {"requestType": "Read", "requestedBy": "Ann Lee", "requestedByEmail": "ann@example.com"},
    "palantir": {"projectId": "PRJ-9", "requestType": "Viewer", "requestedByEmail": "ann@example.com"},
}


def api(host: DevhostProcess, path: str) -> str:
    return host.url(f"/api/{path}")


def in_background(call: Callable[[], httpx.Response]) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(call())
        except httpx.HTTPError as error:
            result.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def is_locked(host: DevhostProcess, path: str) -> bool:
    return bool(httpx.get(api(host, path), timeout=10).json()["isLocked"])


def test_create_list_pending_notify_and_revoke_on_both_platforms(hosts: Hosts) -> None:
    host = hosts.start()
    for p, body in BODIES.items():
        for days in (-1, 5, 45):
            created = httpx.post(api(host, f"{p}/access-requests"), json={**body, "expiresInDays": days}, timeout=10)
            assert created.status_code == 201, created.text
        listed = httpx.get(api(host, f"{p}/access-requests"), timeout=10)
        assert listed.status_code == 200 and listed.headers["x-total-count"] == "3"
        assert len(httpx.get(api(host, f"{p}/access-requests/pending-expiry"), timeout=10).json()) == 1
        assert len(httpx.get(api(host, f"{p}/access-requests/pending-notifications"), timeout=10).json()) == 1

        notified = httpx.post(api(host, f"{p}/access-requests/send-expiry-notifications"), timeout=30).json()
        revoked = httpx.post(api(host, f"{p}/access-requests/revoke-expired"), timeout=30).json()

        assert notified["notifiedCount"] == 1 and revoked["revokedCount"] == 1
        assert httpx.get(api(host, f"{p}/access-requests/pending-expiry"), timeout=10).json() == []
        assert [j["status"] for j in httpx.get(api(host, f"{p}/jobs"), timeout=10).json()] == ["Completed"] * 2


def test_unknown_platform_and_wrong_method_are_client_errors(hosts: Hosts) -> None:
    host = hosts.start()

    assert httpx.get(api(host, "oracle/access-requests"), timeout=10).status_code == 404
    assert httpx.delete(api(host, "databricks/access-requests"), timeout=10).status_code in (404, 405)


def test_a_second_run_gets_409_while_the_status_endpoint_answers_at_once(hosts: Hosts) -> None:
    host = hosts.start(REVOKE_DEMO_DELAY_SECONDS="3")
    first, result = in_background(lambda: httpx.post(api(host, "palantir/access-requests/revoke-expired"), timeout=60))
    assert wait_until(lambda: is_locked(host, "palantir/access-requests/revoke-job-status"), 10)

    second = httpx.post(api(host, "palantir/access-requests/revoke-expired"), timeout=10)
    status = httpx.get(api(host, "palantir/access-requests/revoke-job-status"), timeout=10).json()
    answered_while_running = first.is_alive()

    assert second.status_code == 409 and second.headers["content-type"].startswith("application/problem+json")
    assert second.json()["activeJob"] == status["activeJob"] and status["isLocked"] is True
    assert answered_while_running
    first.join(30)
    assert result[0].status_code == 200
    assert not is_locked(host, "palantir/access-requests/revoke-job-status")


def test_jobs_of_different_types_run_in_parallel(hosts: Hosts) -> None:
    host = hosts.start(REVOKE_DEMO_DELAY_SECONDS="3")
    first, result = in_background(
        lambda: httpx.post(api(host, "databricks/access-requests/revoke-expired"), timeout=60))
    assert wait_until(lambda: is_locked(host, "databricks/access-requests/revoke-job-status"), 10)

    others = [httpx.post(api(host, path), timeout=30) for path in (
        "databricks/access-requests/send-expiry-notifications", "palantir/access-requests/send-expiry-notifications")]
    still_running = first.is_alive()

    assert [o.status_code for o in others] == [200, 200] and still_running
    first.join(30)
    assert result[0].status_code == 200


def test_two_hosts_racing_for_one_job_let_exactly_one_run(hosts: Hosts) -> None:
    a, b = hosts.start(REVOKE_DEMO_DELAY_SECONDS="1"), hosts.start(REVOKE_DEMO_DELAY_SECONDS="1")
    barrier = threading.Barrier(2)

    def race(host: DevhostProcess) -> httpx.Response:
        barrier.wait()
        return httpx.post(api(host, "databricks/access-requests/revoke-expired"), timeout=60)

    runs = [in_background(lambda h=h: race(h)) for h in (a, b)]  # type: ignore[misc]
    for thread, _ in runs:
        thread.join(60)

    statuses = sorted(result[0].status_code for _, result in runs)
    print(f"\ntwo hosts racing on one database: statuses {statuses}")
    assert statuses == [200, 409]


def test_a_job_longer_than_its_lease_keeps_the_lock_by_heartbeat(hosts: Hosts) -> None:
    # The lease covers the message's wait on the queue too (polled every 2 s at most).
    host = hosts.start(REVOKE_DEMO_DELAY_SECONDS="8", JOB_LOCK_TIMEOUT_SECONDS="2.5", JOB_HEARTBEAT_SECONDS="0.25")
    # The run takes the lock after this instant and holds it for its pick-up and 8 s: second tries
    # within 7 s of it, over two leases, all meet the lock (tries "while the run is alive" raced its end).
    asked_at = time.monotonic()
    job, result = in_background(lambda: httpx.post(api(host, "databricks/access-requests/revoke-expired"), timeout=60))
    assert wait_until(lambda: is_locked(host, "databricks/access-requests/revoke-job-status"), 10)

    refusals = []
    while time.monotonic() - asked_at < 7:
        refusals.append(httpx.post(api(host, "databricks/access-requests/revoke-expired"), timeout=10).status_code)
        time.sleep(0.3)
    job.join(60)

    assert len(refusals) >= 6 and set(refusals) == {409}
    assert result[0].status_code == 200 and result[0].json()["lockLost"] is False


def test_auth_matrix_over_http_in_swa_mode(hosts: Hosts) -> None:
    host = hosts.start(AUTH_MODE="swa")
    header = "x-ms-client-principal"
    revoke = api(host, "databricks/access-requests/revoke-expired")

    assert httpx.get(api(host, "databricks/access-requests"), timeout=10).status_code == 401
    stranger = httpx.get(api(host, "databricks/access-requests"), headers={header: principal()}, timeout=10)
    assert stranger.status_code == 403
    reader = httpx.get(api(host, "databricks/access-requests"), headers={header: principal("access-reader")},
                       timeout=10)
    assert reader.status_code == 200 and reader.headers["cache-control"] == "no-store"
    assert httpx.post(revoke, headers={header: principal("access-reader")}, timeout=10).status_code == 403
    assert httpx.post(revoke, headers={header: principal("access-admin")}, timeout=10).status_code == 200
    assert httpx.get(api(host, "health"), timeout=10).status_code == 200


def test_a_new_user_on_a_new_sqlite_path_gets_a_working_api(hosts: Hosts) -> None:
    # Given SQLITE_PATH in a folder that does not exist yet, and no `python -m shared.migrate`
    fresh = hosts.tmp_path / "first-run" / "access-requests.db"

    host = hosts.start(SQLITE_PATH=str(fresh))

    health = httpx.get(api(host, "health"), timeout=10)
    assert (health.status_code, health.json()["database"]) == (200, "ok")
    listed = httpx.get(api(host, "databricks/access-requests"), timeout=10)
    assert (listed.status_code, listed.json()) == (200, [])
    assert "sqlite/003_jobrun.sql" in host.stderr  # the host's log says what was applied
