"""The Function App's registered functions: exactly DESIGN's routes, methods and timers."""

from __future__ import annotations

import json
from pathlib import Path

from shared.mail.senders import AcsSender
from shared.settings import load_settings
from tests.registered import FUNCTIONS

REPO_ROOT = Path(__file__).resolve().parent.parent

PLATFORM_ROUTES = {
    ("GET", "access-requests"), ("POST", "access-requests"),
    ("GET", "access-requests/pending-expiry"), ("GET", "access-requests/pending-notifications"),
    ("POST", "access-requests/send-expiry-notifications"), ("GET", "access-requests/notification-job-status"),
    ("POST", "access-requests/revoke-expired"), ("GET", "access-requests/revoke-job-status"),
    ("GET", "jobs"), ("GET", "jobs/{jobId}"), ("GET", "email-preview"), ("GET", "request-options"),
}
EXPECTED_HTTP = {(m, f"{p}/{r}") for p in ("databricks", "palantir") for m, r in PLATFORM_ROUTES} | {
    ("GET", "health"), ("GET", "openapi.json"), ("GET", "me"), ("POST", "roles")}


def triggers() -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    return [(f.get_function_name(), f.get_trigger().get_dict_repr()) for f in FUNCTIONS]


def test_http_functions_are_exactly_the_design_routes_and_methods() -> None:
    http = [(t["methods"], t["route"]) for _, t in triggers() if t["type"] == "httpTrigger"]

    assert all(len(methods) == 1 for methods, _ in http)
    assert sorted((m[0].value, route) for m, route in http) == sorted(EXPECTED_HTTP)
    # the SPEC's 16, plus /jobs, /jobs/{jobId}, /email-preview and /request-options per platform, /health,
    # /openapi.json, /me and SWA's rolesSource /roles
    assert len(http) == 28


def test_four_timers_one_per_job_type_with_schedules_from_app_settings() -> None:
    timers = {name: t["schedule"] for name, t in triggers() if t["type"] == "timerTrigger"}

    assert timers == {
        "databricks_notification_timer": "%NOTIFICATION_SCHEDULE%",
        "palantir_notification_timer": "%NOTIFICATION_SCHEDULE%",
        "databricks_revoke_timer": "%REVOKE_SCHEDULE%",
        "palantir_revoke_timer": "%REVOKE_SCHEDULE%",
    }


def test_the_run_queue_and_its_poison_queue_each_have_a_function_on_the_functions_storage() -> None:
    queues = {name: (t["queueName"], t["connection"]) for name, t in triggers() if t["type"] == "queueTrigger"}

    assert queues == {"run_job": ("%JOB_QUEUE_NAME%", "AzureWebJobsStorage"),
                      "run_job_poison": ("%JOB_QUEUE_NAME%-poison", "AzureWebJobsStorage")}


def test_function_names_are_unique_and_readable() -> None:
    names = [name for name, _ in triggers()]

    assert len(names) == len(set(names)) == 34
    assert all(name.replace("_", "").isalnum() and name.islower() for name in names)


def test_the_function_timeout_outlasts_the_longest_run_a_redelivered_queue_message_can_hold() -> None:
    # Given host.json and the default settings: a redelivered message's executor waits out at most
    # one lease, then runs a notification run that starts no send after JOB_MAX_RUN_SECONDS, whose
    # last send (ACS: 65 s, the slowest sender) is recorded within two statement timeouts
    host = json.loads((REPO_ROOT / "host.json").read_text())
    hours, minutes, seconds = (int(part) for part in host["functionTimeout"].split(":"))
    settings = load_settings()
    longest = (settings.job_lock_timeout_seconds + settings.job_max_run_seconds + AcsSender(settings).timeout_seconds
               + 2 * settings.sql_query_timeout_seconds)

    # Then the host never stops that invocation for its time (Flex Consumption allows 30 min and more;
    # on the Consumption plan's 10 min the lease or the run's budget has to be shorter)
    assert hours * 3600 + minutes * 60 + seconds > longest
