"""The HTTP functions called as the Functions host calls them, on a temporary SQLite file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from shared import joblock
from shared.db import connect
from shared.platforms import JobKind, all_platforms
from shared.settings import Settings, load_settings
from tests.conftest import set_app_settings
from tests.http_support import invoke, principal
from tests.jobs_support import add_request

PLATFORMS = all_platforms(load_settings())
DATABRICKS_BODY = {"requestType": "Read", "requestedBy": "Ann Lee", "requestedByEmail": "ann@example.com"}
PALANTIR_BODY = {"projectId": "PRJ-1", "requestType": "Viewer", "requestedByEmail": "ann@example.com"}
BODIES = {"databricks": DATABRICKS_BODY, "palantir": PALANTIR_BODY}


@pytest.mark.parametrize("p", ["databricks", "palantir"])
def test_created_request_is_listed_with_its_platform_fields(api_settings: Settings, p: str) -> None:
    created = invoke(f"{p}_create_access_request", body={**BODIES[p], "expiresInDays": 29})

    assert created.status == 201, created.body
    item = created.json()
    key = "id" if p == "databricks" else "requestId"
    assert item[key] and item["status"] == "Active" and item["requestedByEmail"] == "ann@example.com"
    assert item["expiresOn"].endswith("Z") and item["revokedDt"] is None
    listed = invoke(f"{p}_list_access_requests")
    assert listed.status == 200 and listed.headers["X-Total-Count"] == "1"
    assert [i[key] for i in listed.json()] == [item[key]]


def test_databricks_request_number_is_generated_when_not_given(api_settings: Settings) -> None:
    item = invoke("databricks_create_access_request", body={**DATABRICKS_BODY, "neverExpires": True}).json()

    assert item["requestNumber"].startswith("REQ-") and item["expiresOn"] is None


def test_list_pages_with_limit_and_offset_and_counts_all(api_settings: Settings) -> None:
    for n in range(5):
        invoke("palantir_create_access_request", body={**PALANTIR_BODY, "projectId": f"P{n}", "expiresInDays": n + 1})

    page = invoke("palantir_list_access_requests", "?limit=2&offset=1")

    assert page.headers["X-Total-Count"] == "5"
    assert [i["projectId"] for i in page.json()] == ["P3", "P2"]  # newest first


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({**DATABRICKS_BODY}, 422, "(body)"),  # no expiry choice
        ({**DATABRICKS_BODY, "expiresInDays": 5, "neverExpires": True}, 422, "(body)"),  # two choices
        ({**DATABRICKS_BODY, "requestedByEmail": "not-an-email", "expiresInDays": 5}, 422, "requestedByEmail"),
        ({"requestedByEmail": "a@b.co", "expiresInDays": 5}, 422, "requestType"),
        ({**DATABRICKS_BODY, "expiresInDays": "soon"}, 422, "expiresInDays"),
        ({**DATABRICKS_BODY, "expiresOn": "9999-12-31T00:00:00Z"}, 422, "expiresOn"),
        ({**DATABRICKS_BODY, "expiresInDays": 5, "Status": "Revoked"}, 422, "Status"),
    ],
)
def test_invalid_create_bodies_are_422_with_the_field_named(
    api_settings: Settings, body: dict[str, object], status: int, field: str
) -> None:
    reply = invoke("databricks_create_access_request", body=body)

    assert (reply.status, reply.mimetype) == (status, "application/problem+json")
    problem = reply.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert field in [e["field"] for e in problem["errors"]]
    assert invoke("databricks_list_access_requests").headers["X-Total-Count"] == "0"  # nothing saved


@pytest.mark.parametrize("p", ["databricks", "palantir"])
def test_a_request_type_not_in_the_settings_list_is_refused_with_the_allowed_ones_named(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch, p: str
) -> None:
    # Given the platform's types set to two
    set_app_settings(monkeypatch, **{f"{p.upper()}_REQUEST_TYPES": "Audit, Support"})

    # When a create names another (one the default list has), and then a listed one
    refused = invoke(f"{p}_create_access_request", body={**BODIES[p], "requestType": "Read", "expiresInDays": 5})
    accepted = invoke(f"{p}_create_access_request", body={**BODIES[p], "requestType": "Support", "expiresInDays": 5})

    # Then the first is a 422 on requestType naming the allowed types, and only the second is saved
    assert (refused.status, refused.mimetype) == (422, "application/problem+json")
    [error] = [e for e in refused.json()["errors"] if e["field"] == "requestType"]
    assert "'Audit'" in error["message"] and "'Support'" in error["message"]
    assert accepted.status == 201 and accepted.json()["requestType"] == "Support"
    assert invoke(f"{p}_list_access_requests").headers["X-Total-Count"] == "1"


def test_request_options_name_what_a_create_accepts(api_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given Palantir's types and the email domains configured, outside test mode
    set_app_settings(monkeypatch, PALANTIR_REQUEST_TYPES="Viewer,Owner", EMAIL_ALLOWED_DOMAINS="contoso.com",
                     ALLOW_TEST_SIMULATION="false")

    options = invoke("palantir_request_options")

    # Then the form can offer exactly what the create endpoint takes
    assert options.status == 200, options.body
    assert options.json() == {
        "requestTypes": ["Viewer", "Owner"], "minExpiresInDays": 1, "maxExpiresInDays": 36500,
        "maxLengths": {"projectId": 100, "projectRid": 200, "requestType": 50, "justification": 1000},
        "allowedEmailDomains": ["contoso.com"]}


def test_request_options_in_test_mode_allow_an_already_expired_request(api_settings: Settings) -> None:
    options = invoke("databricks_request_options").json()

    assert api_settings.allow_test_simulation and options["minExpiresInDays"] < 0
    assert options["requestTypes"] == ["Read", "ReadWrite", "Admin"]  # the defaults, the demo data's types


@pytest.mark.parametrize("space", ["\x85", "\x1c", "\ufeff", "\u00a0", "\u2028", "\u3000", "\t"])
def test_an_email_with_any_kind_of_space_or_control_character_is_refused(api_settings: Settings, space: str) -> None:
    # Given an address the regex engines' differing `\s` once let through one check and not another
    body = {**DATABRICKS_BODY, "requestedByEmail": f"ann{space}lee@example.com", "expiresInDays": 5}

    reply = invoke("databricks_create_access_request", body=body)

    assert reply.status == 422 and [e["field"] for e in reply.json()["errors"]] == ["requestedByEmail"]


def test_an_email_with_letters_beyond_ascii_is_accepted(api_settings: Settings) -> None:
    body = {**DATABRICKS_BODY, "requestedByEmail": "zoë.ångström@exämple.com", "expiresInDays": 5}

    assert invoke("databricks_create_access_request", body=body).status == 201


@pytest.mark.parametrize(
    ("raw", "headers", "status"),
    [
        (b"{not json", {"content-type": "application/json"}, 400),
        (b'{"a": 1}', {"content-type": "text/plain"}, 415),
        (b"[1, 2]", {"content-type": "application/json"}, 422),
        (b'{"x": "' + b"a" * 70_000 + b'"}', {"content-type": "application/json"}, 413),
    ],
)
def test_malformed_bodies_get_the_right_4xx(api_settings: Settings, raw: bytes, headers: dict[str, str],
                                             status: int) -> None:
    reply = invoke("palantir_create_access_request", raw_body=raw, headers=headers)

    assert (reply.status, reply.mimetype) == (status, "application/problem+json")


def test_already_expired_requests_only_in_test_mode(api_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke("databricks_create_access_request", body={**DATABRICKS_BODY, "expiresInDays": -1}).status == 201
    set_app_settings(monkeypatch, ALLOW_TEST_SIMULATION="false")

    negative = invoke("databricks_create_access_request", body={**DATABRICKS_BODY, "expiresInDays": -1})
    today = invoke("databricks_create_access_request", body={**DATABRICKS_BODY, "expiresInDays": 0})
    past = invoke("databricks_create_access_request",
                  body={**DATABRICKS_BODY, "expiresOn": (datetime.now(UTC) - timedelta(days=1)).isoformat()})

    # A day count below 1 is outside the schema the document gives outside test mode; a past date
    # is not something a schema can say
    assert negative.status == today.status == 422
    assert [e["field"] for e in negative.json()["errors"]] == ["expiresInDays"]
    assert past.status == 400 and "test mode" in past.json()["detail"]


def test_pending_lists_show_what_the_jobs_would_take(api_settings: Settings) -> None:
    platform = PLATFORMS[1]
    with connect(api_settings) as conn:
        add_request(conn, platform, "expired@example.com", -1)
        add_request(conn, platform, "soon@example.com", 5, reminders_sent=1)
        add_request(conn, platform, "later@example.com", 20, reminders_sent=1)

    expiry = invoke("palantir_pending_expiry").json()
    due = invoke("palantir_pending_notifications").json()

    assert [i["requestedByEmail"] for i in expiry] == ["expired@example.com"]
    assert [(i["requestedByEmail"], i["daysLeft"], i["notificationCount"], i["reminderType"]) for i in due] == [
        ("soon@example.com", 5, 1, "7-Day Reminder")]


def test_notification_run_reports_sends_failures_and_performance(api_settings: Settings) -> None:
    with connect(api_settings) as conn:
        for name in ("ann", "bob"):
            add_request(conn, PLATFORMS[0], f"{name}@example.com", 10)

    reply = invoke("databricks_send_expiry_notifications", "?failEmail=bob@example.com")

    assert reply.status == 200, reply.body
    result = reply.json()
    assert (result["notifiedCount"], result["failedCount"]) == (1, 1)
    assert result["notifications"][0]["email"] == "ann@example.com"
    assert result["notifications"][0]["reminderType"] == "30-Day Reminder"
    assert result["failures"][0]["error"] == "Simulated failure for bob@example.com"
    assert set(result["performance"]) == {"parallelMs", "estimatedSequentialMs", "speedup"}
    history = invoke("databricks_recent_jobs").json()
    assert history[0]["jobId"] == result["jobId"] and history[0]["status"] == "Completed"
    assert (history[0]["processedCount"], history[0]["failedCount"]) == (1, 1)


def test_a_notification_run_names_each_request_by_its_request_number(api_settings: Settings) -> None:
    # Given two Databricks requests due a reminder, DBX-1 and DBX-2, and a send to bob set to fail
    for number, name in (("DBX-1", "ann"), ("DBX-2", "bob")):
        invoke("databricks_create_access_request", body={**DATABRICKS_BODY, "requestNumber": number,
                                                         "requestedByEmail": f"{name}@example.com",
                                                         "expiresInDays": 10})

    # When the run goes, and its record is read back
    result = invoke("databricks_send_expiry_notifications", "?failEmail=bob@example.com").json()
    detail = invoke("databricks_job_detail", route_params={"jobId": result["jobId"]}).json()

    # Then the sent and the failed items carry the request number beside the internal id
    assert [(n["requestLabel"], n["email"]) for n in result["notifications"]] == [("DBX-1", "ann@example.com")]
    assert [(f["requestLabel"], f["email"]) for f in result["failures"]] == [("DBX-2", "bob@example.com")]
    assert detail["result"] == result


def test_a_revoke_run_lists_what_it_revoked_by_project(api_settings: Settings) -> None:
    # Given two expired Palantir requests, of projects PRJ-A and PRJ-B, and one that is not expired
    created = {project: invoke("palantir_create_access_request", body={
        **PALANTIR_BODY, "projectId": project, "expiresInDays": days}).json()["requestId"]
        for project, days in (("PRJ-A", -1), ("PRJ-B", -2), ("PRJ-C", 5))}

    # When the revoke job runs
    result = invoke("palantir_revoke_expired").json()

    # Then its result names each revoked request by id and project, and no other
    assert sorted((r["requestId"], r["requestLabel"], r["email"]) for r in result["revoked"]) == sorted([
        (created["PRJ-A"], "PRJ-A", "ann@example.com"), (created["PRJ-B"], "PRJ-B", "ann@example.com")])
    assert result["revokedCount"] == 2


def test_simulation_parameters_are_refused_outside_test_mode(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_app_settings(monkeypatch, ALLOW_TEST_SIMULATION="false")

    for query in ("?simulateFailures=true", "?failEmail=a@example.com"):
        reply = invoke("palantir_send_expiry_notifications", query)
        assert reply.status == 400 and "test mode" in reply.json()["detail"]
    assert invoke("palantir_recent_jobs").json() == []  # no run was started


def test_no_work_is_200_with_zero_counts_and_shows_in_history(api_settings: Settings) -> None:
    notify = invoke("palantir_send_expiry_notifications").json()
    revoke = invoke("palantir_revoke_expired").json()

    assert notify["notifiedCount"] == 0 and "No requests" in notify["message"]
    assert revoke == {"message": "No expired requests found to revoke.", "jobId": revoke["jobId"],
                      "revokedCount": 0, "revokedAt": revoke["revokedAt"], "lockLost": False, "revoked": []}
    assert {j["jobType"] for j in invoke("palantir_recent_jobs").json()} == {
        "ExpiryNotificationPalantir", "RevokeExpiredPalantir"}


def test_a_running_job_gives_409_with_the_active_job_and_status_shows_it(api_settings: Settings) -> None:
    job_type = PLATFORMS[0].job_type(JobKind.REVOKE)
    with connect(api_settings) as conn:
        holder = joblock.new_job_id()
        assert joblock.try_acquire_lock(conn, holder, job_type, "server-7", timeout_seconds=600)

    conflict = invoke("databricks_revoke_expired")
    status = invoke("databricks_revoke_job_status").json()
    other = invoke("databricks_notification_job_status").json()

    assert (conflict.status, conflict.mimetype) == (409, "application/problem+json")
    active = conflict.json()["activeJob"]
    assert (active["jobId"], active["jobType"], active["startedBy"]) == (holder, job_type, "server-7")
    assert active["startedAt"].endswith("Z")
    assert status == {"isLocked": True, "activeJob": active}
    assert other == {"isLocked": False, "activeJob": None}


def test_a_revoke_with_nothing_to_revoke_still_says_when_it_ran(api_settings: Settings) -> None:
    # Given no expired request, when the revoke job runs
    result = invoke("databricks_revoke_expired").json()

    # Then the body keeps the SPEC's fields: a zero count, and the time (not null)
    assert result["revokedCount"] == 0 and result["message"] == "No expired requests found to revoke."
    assert datetime.fromisoformat(result["revokedAt"]).tzinfo is not None


def test_revoke_response_fields(api_settings: Settings) -> None:
    with connect(api_settings) as conn:
        add_request(conn, PLATFORMS[0], "gone@example.com", -2)

    result = invoke("databricks_revoke_expired").json()

    assert result["revokedCount"] == 1 and result["message"] == "Revoked 1 expired request."
    assert datetime.fromisoformat(result["revokedAt"]).tzinfo is not None
    assert invoke("databricks_pending_expiry").json() == []
    (item,) = invoke("databricks_list_access_requests").json()
    assert item["status"] == "Revoked" and item["revokedBy"] == "System - Scheduled Expiry Job"


def test_an_unexpected_error_is_500_with_an_id_and_no_exception_text(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret connection string in the message")

    monkeypatch.setattr("shared.repositories.access_requests.count_matching", broken)

    reply = invoke("databricks_list_access_requests")

    assert (reply.status, reply.mimetype) == (500, "application/problem+json")
    assert b"secret" not in reply.body
    error_id = reply.json()["errorId"]
    assert error_id in caplog.text and "secret connection string" in caplog.text


def test_status_endpoints_answer_while_a_job_runs(api_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    set_app_settings(monkeypatch, REVOKE_DEMO_DELAY_SECONDS="1.0")
    import azure.functions as func

    from function_app import http_functions

    def request(name: str, method: str) -> func.HttpRequest:
        return func.HttpRequest(method, "http://localhost/api/x", headers={}, body=b"")

    async def scenario() -> tuple[int, dict[str, object], bool]:
        revoke = asyncio.create_task(http_functions["palantir_revoke_expired"].build().get_user_function()(
            request("r", "POST")))
        await asyncio.sleep(0.3)
        status = await http_functions["palantir_revoke_job_status"].build().get_user_function()(request("s", "GET"))
        still_running = not revoke.done()
        await revoke
        import json
        return status.status_code, json.loads(status.get_body()), still_running

    code, status, still_running = asyncio.run(scenario())

    assert code == 200 and status["isLocked"] is True and still_running


def test_a_job_run_logs_who_asked_for_it(api_settings: Settings, monkeypatch: pytest.MonkeyPatch,
                                         caplog: pytest.LogCaptureFixture) -> None:
    set_app_settings(monkeypatch, AUTH_MODE="swa")
    caplog.set_level("INFO")

    reply = invoke("palantir_revoke_expired", headers={"x-ms-client-principal": principal("access-admin", user="kim")})

    assert reply.status == 200
    assert "RevokeExpiredPalantir requested by kim@example.com" in caplog.text
