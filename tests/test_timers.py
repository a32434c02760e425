"""The four timer functions, called as the Functions host calls them."""

from __future__ import annotations

import asyncio
import logging

import pytest
from azure.functions.timer import TimerRequest

from shared import joblock
from shared.db import connect
from shared.platforms import get_platform
from shared.settings import Settings
from tests.jobs_support import add_request
from tests.registered import FUNCTIONS

TIMERS = {f.get_function_name(): f for f in FUNCTIONS if f.get_trigger().get_dict_repr()["type"] == "timerTrigger"}


def fire(name: str) -> None:
    timer = TimerRequest(past_due=False)  # the concrete class the worker passes
    asyncio.run(TIMERS[name].get_user_function()(timer))


def test_a_timer_run_does_the_job_and_says_it_was_the_timer(api_settings: Settings) -> None:
    with connect(api_settings) as conn:
        platform = get_platform(api_settings, "palantir")
        assert platform is not None
        platform_key = add_request(conn, platform, "gone@example.com", -1)

    fire("palantir_revoke_timer")

    with connect(api_settings) as conn:
        (run,) = joblock.recent_jobs(conn, ("RevokeExpiredPalantir", "ExpiryNotificationPalantir"))
        row = conn.raw.execute("SELECT Status FROM DataAccessPalantirRequests WHERE RequestId = ?",
                               (platform_key,)).fetchone()
    assert run.status == "Completed" and run.processed_count == 1 and run.requested_by == "(timer)"
    assert row[0] == "Revoked"


def test_a_timer_that_finds_the_lock_taken_logs_the_holder_and_returns_normally(
    api_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with connect(api_settings) as conn:
        holder = joblock.new_job_id()
        assert joblock.try_acquire_lock(conn, holder, "ExpiryNotificationDatabricks", "server-9", timeout_seconds=600)
    caplog.set_level(logging.INFO)

    fire("databricks_notification_timer")  # no exception: the invocation succeeds

    assert f"lock held by job {holder} of server-9" in caplog.text
    with connect(api_settings) as conn:
        runs = joblock.recent_jobs(conn, ("ExpiryNotificationDatabricks", "RevokeExpiredDatabricks"))
    assert [r.job_id for r in runs] == [holder]
