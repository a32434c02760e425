"""Platform tables without a creation time (DESIGN section 3, R2: the SPEC does not name one).

Given the dev tables with `created_at` dropped and DATABRICKS_CREATED_COLUMN / PALANTIR_CREATED_COLUMN
empty, every handler and job that reads or writes requests works, through the registered functions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

import pytest
from azure.functions.decorators.function_app import FunctionBuilder

from shared.db import connect
from shared.http.blueprint import http_blueprint
from shared.platforms import Platform, all_platforms
from shared.settings import Settings, SettingsError, load_settings
from tests.conftest import set_app_settings
from tests.http_support import invoke
from tests.jobs_support import add_request

BODIES = {
    "databricks": {"requestType": "Read", "requestedBy": "Ann Lee", "requestedByEmail": "ann@example.com"},
    "palantir": {"projectId": "PRJ-1", "requestType": "Viewer", "requestedByEmail": "ann@example.com"},
}
KEY_FIELD = {"databricks": "id", "palantir": "requestId"}


Functions = Mapping[str, FunctionBuilder]


@pytest.fixture
def no_created(api_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> tuple[Settings, Functions]:
    """Both platform tables lack `created_at`, and the settings say so; the functions built for them."""
    raw = sqlite3.connect(api_settings.sqlite_path)
    try:
        for platform in all_platforms(api_settings):
            # The list's index on the column goes with it (a table without one has no such index).
            for (index,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                        "AND sql LIKE '%created_at%'", (platform.requests_table,)).fetchall():
                raw.execute(f"DROP INDEX {index}")
            raw.execute(f"ALTER TABLE {platform.requests_table} DROP COLUMN created_at")
        raw.commit()
    finally:
        raw.close()
    settings = set_app_settings(monkeypatch, DATABRICKS_CREATED_COLUMN="", PALANTIR_CREATED_COLUMN="")
    return settings, http_blueprint(settings)[1]


def platform_named(settings: Settings, name: str) -> Platform:
    (platform,) = [p for p in all_platforms(settings) if p.name == name]
    return platform


def test_an_empty_created_column_setting_means_the_platform_has_none() -> None:
    settings = load_settings(DATABRICKS_CREATED_COLUMN="", PALANTIR_CREATED_COLUMN="CreatedOn")

    assert [p.created_column for p in all_platforms(settings)] == [None, "CreatedOn"]
    assert [p.created_column for p in all_platforms(load_settings())] == ["created_at", "created_at"]


@pytest.mark.parametrize("name", ["DATABRICKS_CREATED_COLUMN", "PALANTIR_CREATED_COLUMN"])
def test_a_created_column_that_is_not_an_identifier_is_refused_naming_the_setting(name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings(**{name: "created_at; DROP TABLE JobRun"})


@pytest.mark.parametrize("p", ["databricks", "palantir"])
def test_requests_are_created_and_listed_newest_key_first_with_created_at_null(
    no_created: tuple[Settings, Functions], p: str
) -> None:
    _, functions = no_created
    created = [invoke(f"{p}_create_access_request", body={**BODIES[p], "expiresInDays": days}, functions=functions)
               for days in (3, 10, 20)]

    assert [reply.status for reply in created] == [201, 201, 201], created[0].body
    assert [reply.json()["createdAt"] for reply in created] == [None, None, None]
    listed = invoke(f"{p}_list_access_requests", functions=functions)
    assert listed.status == 200 and listed.headers["X-Total-Count"] == "3"
    keys = [reply.json()[KEY_FIELD[p]] for reply in created]
    assert [i[KEY_FIELD[p]] for i in listed.json()] == sorted(keys, reverse=True)
    assert all(i["createdAt"] is None for i in listed.json())


@pytest.mark.parametrize("p", ["databricks", "palantir"])
def test_pending_lists_the_notification_run_and_the_revoke_work_without_created_at(
    no_created: tuple[Settings, Functions], p: str
) -> None:
    settings, functions = no_created
    platform = platform_named(settings, p)
    with connect(settings) as conn:
        add_request(conn, platform, "expired@example.com", -1)
        add_request(conn, platform, "soon@example.com", 5, reminders_sent=1)

    expiry = invoke(f"{p}_pending_expiry", functions=functions)
    due = invoke(f"{p}_pending_notifications", functions=functions)
    notified = invoke(f"{p}_send_expiry_notifications", functions=functions)
    revoked = invoke(f"{p}_revoke_expired", functions=functions)

    assert [i["requestedByEmail"] for i in expiry.json()] == ["expired@example.com"], expiry.body
    assert [(i["requestedByEmail"], i["reminderType"]) for i in due.json()] == [("soon@example.com", "7-Day Reminder")]
    assert notified.status == 200, notified.body
    assert [n["email"] for n in notified.json()["notifications"]] == ["soon@example.com"]
    assert revoked.status == 200 and revoked.json()["revokedCount"] == 1, revoked.body
    listed = invoke(f"{p}_list_access_requests", functions=functions).json()
    statuses = {i["requestedByEmail"]: i["status"] for i in listed}
    assert statuses == {"expired@example.com": "Revoked", "soon@example.com": "Active"}
