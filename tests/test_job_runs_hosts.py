"""Runs that outlive HTTP requests (DESIGN section 5, R2), over real `python -m devhost` processes and
a real Azurite: started by the POST, executed by the queue-triggered run_job, answered from the
run's outcome records. The root host.json polls every 2 s at most, retries after 2 s, poisons on
the third failure."""

from __future__ import annotations

import base64
import contextlib
import json
import signal
from typing import Any

import httpx
from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import QueueClient

from shared import joblock
from shared.db import Connection, connect
from shared.jobs.runs import POISONED
from shared.platforms import JobKind, Platform, get_platform
from shared.repositories.job_items import job_items
from shared.settings import load_settings
from tests.devhost.harness import DevhostProcess, wait_until
from tests.hosts import Hosts
from tests.jobs_support import add_request

RUN_TIMEOUT = 120.0
NOTIFY = "access-requests/send-expiry-notifications"


def database(hosts: Hosts) -> Connection:
    return connect(load_settings(DB_BACKEND="sqlite", SQLITE_PATH=hosts.db_path))


def platform_named(name: str) -> Platform:
    platform = get_platform(load_settings(), name)
    assert platform is not None
    return platform


def due_reminders(hosts: Hosts, platform: Platform, count: int) -> None:
    with database(hosts) as conn, conn.transaction():
        for n in range(count):
            add_request(conn, platform, f"user{n}@example.com", 10)


def run_detail(host: DevhostProcess, platform: Platform, job_id: str) -> dict[str, Any]:
    reply = httpx.get(host.url(f"/api/{platform.name}/jobs/{job_id}"), timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]


def finished(host: DevhostProcess, platform: Platform, job_id: str) -> dict[str, Any]:
    assert wait_until(lambda: run_detail(host, platform, job_id)["status"] != "InProgress", RUN_TIMEOUT, 0.5)
    return run_detail(host, platform, job_id)


def test_an_async_start_answers_202_at_once_and_the_run_s_record_holds_every_outcome(hosts: Hosts) -> None:
    # Given 2,000 due reminders and sends that take 1 s each, no rate limit
    platform = platform_named("databricks")
    due_reminders(hosts, platform, 2000)
    host = hosts.start(EMAIL_SIMULATED_DELAY_SECONDS="1", NOTIFY_MAX_PARALLEL="1000")

    # When the admin starts the run asking for an asynchronous answer
    started = httpx.post(host.url(f"/api/{platform.name}/{NOTIFY}"), headers={"Prefer": "respond-async"},
                         timeout=10)

    # Then it is accepted at once, pointing at the run
    assert started.status_code == 202, started.text
    body = started.json()
    status_url = f"/api/{platform.name}/jobs/{body['jobId']}"
    assert body == {"message": body["message"], "jobId": body["jobId"], "status": "InProgress",
                    "statusUrl": status_url}
    assert started.headers["location"] == status_url
    # and once the run has ended its record has all 2,000 outcomes, and who asked
    detail = finished(host, platform, body["jobId"])
    result = detail["result"]
    print(f"\n2,000 reminders over the queue: {result['message']} performance {result['performance']}")
    assert (detail["status"], detail["requestedBy"], detail["processedCount"]) == ("Completed", "local developer", 2000)
    assert (result["notifiedCount"], result["failedCount"], result["notStarted"]) == (2000, 0, 0)
    assert len({n["requestId"] for n in result["notifications"]}) == 2000


def test_a_short_run_still_answers_200_with_the_full_body_which_its_record_repeats(hosts: Hosts) -> None:
    # Given two due reminders, one of whose sends fails
    platform = platform_named("palantir")
    due_reminders(hosts, platform, 2)
    host = hosts.start()

    # When the admin runs the job and waits for it
    reply = httpx.post(host.url(f"/api/{platform.name}/{NOTIFY}?failEmail=user1@example.com"), timeout=60)

    # Then the answer is the SPEC's 200 body, and the run's record gives the same body
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["notifiedCount"], body["failedCount"], body["notStarted"]) == (1, 1, 0)
    assert body["failures"][0]["error"] == "Simulated failure for user1@example.com"
    assert run_detail(host, platform, body["jobId"])["result"] == body


def test_a_killed_executor_s_run_is_reclaimed_one_lease_later_and_a_new_run_finishes_it_without_duplicates(
    hosts: Hosts,
) -> None:
    # Given 40 due reminders, sent five at a time for half a second each, by a host that takes the
    # message for 3 s at a time (renewed while the run goes on), under a 4 s lease
    platform = platform_named("databricks")
    total, parallel = 40, 5
    due_reminders(hosts, platform, total)
    timing = {"JOB_LOCK_TIMEOUT_SECONDS": "4", "JOB_HEARTBEAT_SECONDS": "0.5", "SQL_QUERY_TIMEOUT_SECONDS": "1",
              "EMAIL_SIMULATED_DELAY_SECONDS": "0.5", "NOTIFY_MAX_PARALLEL": str(parallel),
              "DEVHOST_QUEUE_LEASE_SECONDS": "3"}
    doomed = hosts.start(**timing)
    job_id = httpx.post(doomed.url(f"/api/{platform.name}/{NOTIFY}"), headers={"Prefer": "respond-async"},
                        timeout=10).json()["jobId"]

    def recorded(conn: Connection, job: str) -> int:
        return sum(1 for item in job_items(conn, platform, job) if item.outcome == "Sent")

    with database(hosts) as conn:
        assert wait_until(lambda: recorded(conn, job_id) >= 10, RUN_TIMEOUT, 0.1)

        # When the host executing the run is killed mid-run, and another host runs
        doomed.process.send_signal(signal.SIGKILL)
        doomed.process.wait(10)
        sent_before = recorded(conn, job_id)
        survivor = hosts.start(**timing)

        # Then the message comes back to the other host, which waits out the dead run's lease,
        # reclaims the lock and finishes the work in a new run
        assert wait_until(lambda: len(runs_of(survivor, platform)) == 2 and
                          runs_of(survivor, platform)[0]["status"] == "Completed", RUN_TIMEOUT, 0.5)
        new, old = runs_of(survivor, platform)
        rows, distinct = conn.raw.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT DeltaRequestId) FROM {platform.notification_table}").fetchone()
        sent_after = recorded(conn, old["jobId"]) + recorded(conn, new["jobId"])
    print(f"\nkill -9 of the executor after {sent_before} of {total} sends: new run sent {new['processedCount']}; "
          f"old run {old['status']}: {old['errorMessage']}")
    assert old["jobId"] == job_id and old["status"] == "Failed" and new["jobId"] in old["errorMessage"]
    assert new["requestedBy"] == old["requestedBy"] == "local developer"
    assert (rows, distinct, sent_after) == (total, total, total)  # every reminder recorded once
    # re-sent at most what was in flight when the host died (sent but not recorded)
    assert new["processedCount"] - (total - sent_before) <= parallel


def runs_of(host: DevhostProcess, platform: Platform) -> list[dict[str, Any]]:
    return httpx.get(host.url(f"/api/{platform.name}/jobs"), timeout=10).json()  # type: ignore[no-any-return]


def test_a_run_whose_message_always_fails_is_poisoned_and_shown_failed_with_the_reason(hosts: Hosts) -> None:
    # Given a started run whose message names no platform this app knows, so every try fails
    platform = platform_named("palantir")
    job_id = joblock.new_job_id()
    with database(hosts) as conn:
        assert joblock.try_acquire_lock(conn, job_id, platform.job_type(JobKind.REVOKE), "server-a",
                                        timeout_seconds=600, requested_by="kim@example.com")
    host = hosts.start()
    queue = QueueClient.from_connection_string(hosts.storage, hosts.queue_name)
    with contextlib.suppress(ResourceExistsError):
        queue.create_queue()
    body = {"jobId": job_id, "platform": "oracle", "kind": JobKind.REVOKE.value}
    queue.send_message(base64.b64encode(json.dumps(body).encode()).decode())

    # When the host has tried it maxDequeueCount times, then the run is Failed with the reason
    assert wait_until(lambda: run_detail(host, platform, job_id)["status"] == "Failed", RUN_TIMEOUT, 0.5)
    detail = run_detail(host, platform, job_id)
    assert detail["errorMessage"] == POISONED.format(queue=f"{hosts.queue_name}-poison")
    assert detail["result"]["revokedCount"] == 0


def test_a_run_out_of_time_budget_reports_what_it_left_and_that_stays_due(hosts: Hosts) -> None:
    # Given ten due reminders sent one at a time, 0.4 s each, and a 1 s budget per run
    platform = platform_named("palantir")
    due_reminders(hosts, platform, 10)
    host = hosts.start(JOB_MAX_RUN_SECONDS="1", EMAIL_SIMULATED_DELAY_SECONDS="0.4", NOTIFY_MAX_PARALLEL="1")

    # When the admin runs the job
    body = httpx.post(host.url(f"/api/{platform.name}/{NOTIFY}"), timeout=60).json()

    # Then it sent some, left the rest for the next run and says how many; those are still due
    assert 0 < body["notifiedCount"] < 10 and body["notStarted"] == 10 - body["notifiedCount"]
    assert f"{body['notStarted']} reminders were not started" in body["message"]
    pending = httpx.get(host.url(f"/api/{platform.name}/access-requests/pending-notifications"), timeout=10).json()
    assert len(pending) == body["notStarted"]
