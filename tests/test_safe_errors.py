"""What readers and callers see of failures: no exception text, and bad input never a 500."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from shared.settings import MASKED, Settings
from tests.conftest import make_settings
from tests.http_support import invoke

TABLE_NAMED = "no such table: dbo.DataAccessPalantirRequests_secret"


def test_a_crashed_job_shows_an_error_id_not_the_exception_and_the_log_has_both(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a revoke job whose statement fails with a database error naming a table
    def broken(*args: object, **kwargs: object) -> int:
        raise sqlite3.OperationalError(TABLE_NAMED)

    monkeypatch.setattr("shared.jobs.revoke.revoke_expired", broken)
    caplog.set_level(logging.ERROR)

    # When the job is run over HTTP and its history is read
    reply = invoke("palantir_revoke_expired")
    history = invoke("palantir_recent_jobs")

    # Then neither the response nor the JobRun row carries the exception text, only the error id
    assert (reply.status, reply.mimetype) == (500, "application/problem+json")
    error_id = reply.json()["errorId"]
    (run,) = history.json()
    assert run["status"] == "Failed"
    assert run["errorMessage"] == f"Unexpected error (error id {error_id}); see the service log"
    for body in (reply.body, history.body):
        assert b"OperationalError" not in body and b"no such table" not in body
    # and the log has the detail under the same id
    crash = next(r for r in caplog.records if error_id in r.getMessage())
    assert crash.exc_info is not None and TABLE_NAMED in str(crash.exc_info[1])


def test_repr_and_str_of_settings_mask_every_secret_setting(tmp_path: Path) -> None:
    # Given settings with a SQL password in the connection string and an SMTP password
    settings = make_settings(
        tmp_path, SQL_CONNECTION_STRING="Driver={ODBC Driver 18 for SQL Server};Server=tcp:db;Pwd=Hunter2-sql;",
        SMTP_PASSWORD="Hunter2-smtp", SMTP_USERNAME="relay-user")

    # When they are shown as a log line or a debugger would show them
    shown = [repr(settings), str(settings), f"{settings!r}"]

    # Then neither secret appears, the masks do, and other settings still show
    for text in shown:
        assert "Hunter2" not in text
        assert f"sql_connection_string='{MASKED}'" in text and f"smtp_password='{MASKED}'" in text
        assert "smtp_username='relay-user'" in text
    # and the values themselves are untouched
    assert settings.smtp_password == "Hunter2-smtp"


@pytest.mark.parametrize("depth", [33, 990, 5000, 30_000])
def test_a_body_nested_too_deeply_is_400_problem_json(api_settings: Settings, depth: int) -> None:
    # Given a create body whose field holds arrays nested `depth` deep (json.loads recursed out at ~990)
    raw = b'{"requestType": ' + b"[" * depth + b"]" * depth + b"}"

    reply = invoke("palantir_create_access_request", raw_body=raw, headers={"content-type": "application/json"})

    assert (reply.status, reply.mimetype) == (400, "application/problem+json")
    assert "levels deep" in reply.json()["detail"]


def test_brackets_inside_strings_do_not_count_as_nesting(api_settings: Settings) -> None:
    body = {"projectId": "PRJ-1", "requestType": "Viewer", "justification": "[" * 100 + '{\\"' + "}" * 5,
            "requestedByEmail": "a@example.com", "expiresInDays": 5}

    assert invoke("palantir_create_access_request", body=body).status == 201
