"""/api/health answers 200 only when the database exists, has the current schema and takes writes;
otherwise 503 naming what is wrong. SQLite files here; SQL Server through a fake that answers the
named statements (there is no SQL Server here)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from shared.db import connect
from shared.http.endpoints import HEALTH_TIMEOUT_SECONDS
from shared.migrate import migrations_for
from shared.settings import Settings
from tests.conftest import set_app_settings
from tests.http_support import invoke
from tests.support.fake_sqlserver import MSSQL_SETTINGS, fake_sqlserver


def health() -> tuple[int, dict[str, Any]]:
    reply = invoke("health")
    assert reply.mimetype == "application/json"
    return reply.status, reply.json()


def make_read_only(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 0444. Where that does not stop writes (root ignores permission bits), the service's
    connections open the file read-only instead, which SQLite treats the same way."""
    path.chmod(0o444)
    if not os.access(path, os.W_OK):
        return
    real_connect = sqlite3.connect

    def read_only(database: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        return real_connect(database.replace("?mode=rw", "?mode=ro"), *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", read_only)


# --- SQLite ---------------------------------------------------------------------------------------
def test_a_current_writable_database_is_healthy(api_settings: Settings) -> None:
    status, body = health()

    assert status == 200
    assert (body["status"], body["database"]) == ("ok", "ok") and body["detail"]


def test_a_folder_that_does_not_exist_is_missing_and_is_not_created(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given SQLITE_PATH in a folder that is not there
    folder = tmp_path / "not-there"
    set_app_settings(monkeypatch, SQLITE_PATH=str(folder / "app.db"))

    status, body = health()

    assert (status, body["status"], body["database"]) == (503, "unavailable", "missing")
    assert "python -m shared.migrate" in body["detail"]
    assert not folder.exists()  # health does not create one


def test_a_file_that_does_not_exist_is_missing_and_is_not_created(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "absent.db"
    set_app_settings(monkeypatch, SQLITE_PATH=str(path))

    status, body = health()

    assert (status, body["database"]) == (503, "missing")
    assert str(path) not in body["detail"]  # health is public: no server paths
    assert not path.exists()


def test_a_file_without_tables_is_schema_outdated(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    set_app_settings(monkeypatch, SQLITE_PATH=str(path))

    status, body = health()

    assert (status, body["database"]) == (503, "schema-outdated")
    assert "sqlite/000_platform_tables.sql" in body["detail"] and "python -m shared.migrate" in body["detail"]


def test_a_migration_not_applied_is_schema_outdated_naming_it(api_settings: Settings) -> None:
    last = migrations_for("sqlite")[-1].name
    with connect(api_settings) as conn:
        conn.raw.execute("DELETE FROM SchemaMigrations WHERE Name = ?", (last,))

    status, body = health()

    assert (status, body["database"]) == (503, "schema-outdated")
    assert last in body["detail"]


def test_an_applied_migration_edited_since_is_schema_outdated(api_settings: Settings) -> None:
    first = migrations_for("sqlite")[0].name
    with connect(api_settings) as conn:
        conn.raw.execute("UPDATE SchemaMigrations SET Checksum = 'edited' WHERE Name = ?", (first,))

    status, body = health()

    assert (status, body["database"]) == (503, "schema-outdated")
    assert f"{first} changed after it was applied" in body["detail"]


def test_a_read_only_file_is_read_only(api_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    make_read_only(Path(api_settings.sqlite_path), monkeypatch)

    status, body = health()

    assert (status, body["database"]) == (503, "read-only")


def test_a_file_deleted_while_the_app_runs_is_missing(api_settings: Settings) -> None:
    # Given a running app that has used its database
    assert health()[0] == 200
    assert invoke("databricks_list_access_requests").status == 200
    # When the file goes away
    for suffix in ("", "-wal", "-shm"):
        Path(api_settings.sqlite_path + suffix).unlink(missing_ok=True)

    status, body = health()

    assert (status, body["database"]) == (503, "missing")
    assert not Path(api_settings.sqlite_path).exists()


def test_a_file_that_is_not_a_database_is_unreachable_without_the_error_text(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a database, " * 512)
    set_app_settings(monkeypatch, SQLITE_PATH=str(path))

    status, body = health()

    assert (status, body["database"]) == (503, "unreachable")
    assert "not a database" not in body["detail"]
    assert "file is not a database" in caplog.text  # the log has it


def test_a_writer_holding_the_write_lock_leaves_health_ok_and_quick(api_settings: Settings) -> None:
    # Given another connection in a write transaction (a revoke job, say)
    with connect(api_settings) as writer, writer.transaction():
        started = time.monotonic()
        status, body = health()
        elapsed = time.monotonic() - started

    assert (status, body["database"]) == (200, "ok")
    assert elapsed < HEALTH_TIMEOUT_SECONDS


def test_other_endpoints_answer_a_missing_database_with_a_503_problem(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "gone.db"
    set_app_settings(monkeypatch, SQLITE_PATH=str(path))

    reply = invoke("databricks_list_access_requests")

    assert (reply.status, reply.mimetype) == (503, "application/problem+json")
    problem = reply.json()
    assert problem["status"] == 503 and "python -m shared.migrate" in problem["detail"]
    assert b"gone.db" not in reply.body and not path.exists()


# --- SQL Server (a fake) ------------------------------------------------------------------------------
def test_a_current_writable_sql_server_database_is_healthy(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_sqlserver(monkeypatch)
    set_app_settings(monkeypatch, **MSSQL_SETTINGS)

    assert health()[1]["database"] == "ok"


def test_sql_server_below_compatibility_level_130_is_incompatible_and_says_so(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_sqlserver(monkeypatch, {"database.properties": [{"compatibility_level": 120, "updateability": "READ_WRITE"}]})
    set_app_settings(monkeypatch, **MSSQL_SETTINGS)

    status, body = health()

    assert (status, body["database"]) == (503, "incompatible")
    assert "120" in body["detail"] and "130" in body["detail"] and "OPENJSON" in body["detail"]


def test_sql_server_pending_migrations_are_reported_and_never_applied(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, *later = migrations_for("mssql")
    server = fake_sqlserver(monkeypatch, {"migrations.applied": [{"Name": first.name, "Checksum": first.checksum}]})
    set_app_settings(monkeypatch, **MSSQL_SETTINGS)

    status, body = health()

    assert (status, body["database"]) == (503, "schema-outdated")
    assert all(m.name in body["detail"] for m in later)
    assert server.names_executed() == ["database.properties", "migrations.table_exists", "migrations.applied"]


def test_a_read_only_sql_server_database_is_read_only(api_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sqlserver(monkeypatch, {"database.properties": [{"compatibility_level": 160, "updateability": "READ_ONLY"}]})
    set_app_settings(monkeypatch, **MSSQL_SETTINGS)

    status, body = health()

    assert (status, body["database"]) == (503, "read-only")


def test_sql_server_permissions_the_login_lacks_are_named(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_sqlserver(monkeypatch, {"health.write_access": [{"securable": "JobRun", "permission": "INSERT"}]})
    set_app_settings(monkeypatch, **MSSQL_SETTINGS)

    status, body = health()

    assert (status, body["database"]) == (503, "not-permitted")
    assert body["detail"].count("INSERT on JobRun") == 1  # once, though asked for each platform
