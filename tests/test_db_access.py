"""Connecting: settings validation, the Azure SQL token and retry rules, SQLite sharing."""

from __future__ import annotations

import sqlite3
import struct
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from shared.db import SQLITE, DatabaseMissing, connect
from shared.db.mssql import (
    SQL_COPT_SS_ACCESS_TOKEN,
    TokenCache,
    access_token_struct,
    connect_mssql,
    has_own_credentials,
    transient_error,
)
from shared.db.sqlite import script_statements
from shared.settings import Settings, SettingsError, load_settings
from tests.support.fake_odbc import FakeOdbcError, link_failure, odbc_error
from tests.support.fake_sqlserver import MSSQL_SETTINGS, fake_sqlserver


def test_access_token_struct_is_length_prefixed_utf16le_byte_for_byte() -> None:
    assert access_token_struct("eyJ0") == (
        b"\x08\x00\x00\x00" + b"e\x00y\x00J\x000\x00"
    )
    token = "a" * 300
    packed = access_token_struct(token)
    assert struct.unpack_from("<I", packed)[0] == 600 and packed[4:] == token.encode("utf-16-le")


def test_invalid_settings_stop_start_up_naming_each_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOB_LOCK_TIMEOUT_SECONDS", "ten minutes")
    monkeypatch.setenv("NOTIFY_MAX_PARALLEL", "0")
    monkeypatch.setenv("PALANTIR_EMAIL_COLUMN", "Email; DROP TABLE x")

    with pytest.raises(SettingsError) as raised:
        load_settings()

    message = str(raised.value)
    for name in ("JOB_LOCK_TIMEOUT_SECONDS", "NOTIFY_MAX_PARALLEL", "PALANTIR_EMAIL_COLUMN"):
        assert name in message


def test_durations_accept_decimal_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOB_HEARTBEAT_SECONDS", "0.5")
    assert load_settings().job_heartbeat_seconds == 0.5


@pytest.mark.parametrize("name", [
    "JOB_LOCK_TIMEOUT_SECONDS", "JOB_HEARTBEAT_SECONDS", "REVOKE_DEMO_DELAY_SECONDS",
    "EMAIL_SIMULATED_DELAY_SECONDS", "SMTP_TIMEOUT_SECONDS",
])
def test_a_duration_over_one_day_is_refused_naming_the_setting(name: str) -> None:
    # Durations reach T-SQL as INT milliseconds, which overflow past ~24.8 days.
    longest = {"JOB_LOCK_TIMEOUT_SECONDS": 86_400, "JOB_HEARTBEAT_SECONDS": 86_399}
    assert load_settings(**{**longest, name: longest.get(name, 86_400)})  # one day is allowed

    with pytest.raises(SettingsError, match=rf"{name}: Input should be less than or equal to 86400"):
        load_settings(**{**longest, name: 86_400.5})


@pytest.mark.parametrize(("timeout", "heartbeat"), [(60, 60), (60, 61), (0.5, 1)])
def test_a_heartbeat_not_shorter_than_the_lease_is_refused_naming_both(timeout: float, heartbeat: float) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(JOB_LOCK_TIMEOUT_SECONDS=timeout, JOB_HEARTBEAT_SECONDS=heartbeat)

    assert "JOB_HEARTBEAT_SECONDS" in str(raised.value) and "JOB_LOCK_TIMEOUT_SECONDS" in str(raised.value)
    assert load_settings(JOB_LOCK_TIMEOUT_SECONDS=timeout, JOB_HEARTBEAT_SECONDS=timeout * 0.99)


def test_a_status_longer_than_the_status_column_is_refused_naming_the_setting() -> None:
    # The statements compare it as VARCHAR(20): a longer value would be cut and match another status.
    with pytest.raises(SettingsError, match="PALANTIR_REVOKED_STATUS"):
        load_settings(PALANTIR_REVOKED_STATUS="R" * 21)
    assert load_settings(PALANTIR_REVOKED_STATUS="R" * 20)


@pytest.mark.parametrize(("value", "says"), [
    (" , ", "at least one request type"),
    ("Read,Read", "twice"),
    ("Read," + "W" * 51, "longer than the column's 50"),
])
def test_a_request_type_list_the_column_cannot_hold_is_refused_naming_the_setting(value: str, says: str) -> None:
    with pytest.raises(SettingsError, match=f"DATABRICKS_REQUEST_TYPES: .*{says}"):
        load_settings(DATABRICKS_REQUEST_TYPES=value)
    assert load_settings(PALANTIR_REQUEST_TYPES=" Viewer , Owner ").palantir_request_types == "Viewer,Owner"


def test_mssql_backend_without_a_connection_string_is_refused() -> None:
    with pytest.raises(SettingsError, match="SQL_CONNECTION_STRING"):
        load_settings(DB_BACKEND="mssql", SQL_CONNECTION_STRING="")


@pytest.mark.parametrize(
    ("connection_string", "own"),
    [
        ("Driver={ODBC Driver 18 for SQL Server};Server=tcp:x.database.windows.net;Database=d", False),
        ("Driver={ODBC Driver 18 for SQL Server};Server=s;UID=app;PWD=secret", True),
        ("Server=s;Authentication=ActiveDirectoryMsi", True),
    ],
)
def test_a_token_is_used_only_when_the_connection_string_has_no_credentials(
    connection_string: str, own: bool
) -> None:
    assert has_own_credentials(connection_string) is own


def unavailable(number: int = 40613) -> FakeOdbcError:
    return odbc_error("HY000", "Database 'd' on server 's' is not currently available. Please retry the "
                      "connection later.", number, function="SQLDriverConnect")


def login_failed() -> FakeOdbcError:
    return odbc_error("28000", "Login failed for user 'app'.", 18456, function="SQLDriverConnect")


def test_transient_errors_are_recognised_by_native_number_or_link_failure() -> None:
    assert transient_error(unavailable(40613)) == "40613"
    assert transient_error(link_failure()) == "08S01"
    assert transient_error(login_failed()) is None


@pytest.mark.parametrize(
    "error",
    [
        # A duplicate key value that looks like a transient error number
        odbc_error("23000", "Cannot insert duplicate key row in object 'dbo.JobRun' with unique index "
                   "'UX_JobRun_InProgress'. The duplicate key value is (40613).", 2601),
        # A login name that does
        odbc_error("28000", "Login failed for user 'svc(40501)'.", 18456, function="SQLDriverConnect"),
    ],
    ids=["duplicate-key-value", "login-name"],
)
def test_a_transient_number_elsewhere_in_the_message_is_not_transient(error: FakeOdbcError) -> None:
    assert transient_error(error) is None


class FakePyodbc(types.ModuleType):
    Error = FakeOdbcError

    def __init__(self, failures: list[FakeOdbcError]) -> None:
        super().__init__("pyodbc")
        self.failures = failures
        self.calls: list[dict[str, Any]] = []

    def connect(self, connection_string: str, **kwargs: Any) -> str:
        self.calls.append(kwargs)
        if self.failures:
            raise self.failures.pop(0)
        return "connection"


class FakeAccessToken:
    def __init__(self, token: str, expires_on: float) -> None:
        self.token, self.expires_on = token, expires_on


def test_connect_retries_transient_errors_with_backoff_and_passes_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakePyodbc([
        odbc_error("42000", 'Cannot open database "d" requested by the login.', 4060, function="SQLDriverConnect"),
        unavailable(40613),
    ])
    monkeypatch.setitem(sys.modules, "pyodbc", fake)
    slept: list[float] = []
    tokens = TokenCache(lambda scope: FakeAccessToken("tok", expires_on=9e9))

    result = connect_mssql("Server=s;Database=d", tokens=tokens, sleep=slept.append)

    assert result == "connection"
    assert slept == [1.0, 2.0]
    assert len(fake.calls) == 3
    assert all(call["autocommit"] is True for call in fake.calls)
    assert fake.calls[-1]["attrs_before"] == {SQL_COPT_SS_ACCESS_TOKEN: access_token_struct("tok")}


def test_connect_gives_up_at_once_on_a_non_transient_error(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakePyodbc([login_failed()])
    monkeypatch.setitem(sys.modules, "pyodbc", fake)
    slept: list[float] = []

    with pytest.raises(FakePyodbc.Error):
        connect_mssql("Server=s;UID=u;PWD=p", sleep=slept.append)

    assert slept == [] and fake.calls[0]["attrs_before"] == {}


@pytest.mark.parametrize(
    ("sqlstate", "text", "native"),
    [
        *(("HY000", "The service is currently busy.", number) for number in (10928, 10929, 40143, 40540)),
        *(("HY000", "The SQL pool is warming up.", number) for number in (42108, 42109)),
        *(("08001", f"TCP Provider: Error code {number:#x}", number) for number in (233, 10053, 10054, 10060)),
        # Linux reports its own errno (104, ECONNRESET): the SQLSTATE is what says link failure
        ("08S01", "TCP Provider: Error code 0x68", 104),
    ],
)
def test_connect_retries_sqlclients_transient_errors_and_link_failures(
    monkeypatch: pytest.MonkeyPatch, sqlstate: str, text: str, native: int
) -> None:
    fake = FakePyodbc([odbc_error(sqlstate, text, native, function="SQLDriverConnect", server=sqlstate == "HY000")])
    monkeypatch.setitem(sys.modules, "pyodbc", fake)

    assert connect_mssql("Server=s;UID=u;PWD=p", sleep=lambda seconds: None) == "connection"
    assert len(fake.calls) == 2


def test_connect_waits_about_a_minute_for_a_resuming_database_before_giving_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a serverless database that answers 40613 to every attempt
    fake = FakePyodbc([unavailable(40613) for _ in range(10)])
    monkeypatch.setitem(sys.modules, "pyodbc", fake)
    slept: list[float] = []

    # When connecting
    with pytest.raises(FakePyodbc.Error):
        connect_mssql("Server=s;UID=u;PWD=p", sleep=slept.append)

    # Then the backoff doubles up to a cap, about a minute in all
    assert slept == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0]
    assert sum(slept) == 61.0 and len(fake.calls) == 7


def test_token_is_cached_and_refreshed_before_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr("shared.db.mssql.time.time", lambda: now[0])
    issued: list[str] = []

    def get_token(scope: str) -> FakeAccessToken:
        issued.append(scope)
        return FakeAccessToken(f"t{len(issued)}", expires_on=now[0] + 3600)

    cache = TokenCache(get_token)
    assert cache.token() == "t1" and cache.token() == "t1"
    now[0] += 3600 - 299  # inside the refresh margin
    assert cache.token() == "t2"
    assert issued == ["https://database.windows.net/.default"] * 2


def test_sqlite_connection_uses_wal_foreign_keys_a_busy_timeout_and_a_large_page_cache(settings: Settings) -> None:
    with connect(settings) as conn:
        pragmas = {name: conn.raw.execute(f"PRAGMA {name}").fetchone()[0]
                   for name in ("journal_mode", "foreign_keys", "busy_timeout", "cache_size")}
    assert pragmas["journal_mode"] == "wal" and pragmas["foreign_keys"] == 1
    assert pragmas["busy_timeout"] >= 5000
    assert pragmas["cache_size"] == -64 * 1024  # KiB; SQLite's default is -2000


def test_local_settings_example_lists_every_setting_with_a_working_value() -> None:
    import json

    from shared.settings import Settings

    values = json.loads(Path("local.settings.json.example").read_text())["Values"]
    aliases = {field.alias for field in Settings.model_fields.values() if field.alias}

    assert aliases <= values.keys()
    settings = load_settings(**{name: values[name] for name in aliases})
    assert settings.db_backend == "sqlite" and settings.auth_mode == "none"
    assert settings.allow_test_simulation and settings.revoke_demo_delay_seconds == 15


def test_the_services_connection_never_creates_a_database(tmp_path: Path) -> None:
    folder = tmp_path / "new-folder"
    settings = load_settings(DB_BACKEND="sqlite", SQLITE_PATH=str(folder / "app.db"))

    with pytest.raises(DatabaseMissing, match=r"python -m shared\.migrate"):
        connect(settings)

    assert not folder.exists()


def test_the_migrators_connection_creates_the_file_and_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "new-folder" / "app.db"
    settings = load_settings(DB_BACKEND="sqlite", SQLITE_PATH=str(path))

    with connect(settings, migrator=True):
        pass

    assert path.is_file()
    with connect(settings):  # the service's connection opens it from then on
        pass


def test_only_the_migrators_sqlite_connection_runs_statements_past_the_statement_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a statement that runs for well over the 0.05 s statement timeout
    slow = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
            "SELECT COUNT(*) AS c FROM n")
    monkeypatch.setitem(SQLITE.statements, "test.slow", slow)  # type: ignore[index]
    settings = load_settings(DB_BACKEND="sqlite", SQLITE_PATH=str(tmp_path / "a.db"), SQL_QUERY_TIMEOUT_SECONDS=0.05)

    with connect(settings, migrator=True) as migrator:
        assert migrator.query("test.slow") == [{"c": 3000000}]
    with connect(settings) as service, pytest.raises(sqlite3.OperationalError, match="interrupted"):
        service.query("test.slow")


def test_the_migrators_sql_server_connection_has_no_statement_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    server = fake_sqlserver(monkeypatch)
    settings = load_settings(**MSSQL_SETTINGS, SQL_QUERY_TIMEOUT_SECONDS=30)

    connect(settings)
    assert server.timeout == 30
    connect(settings, migrator=True)
    assert server.timeout == 0  # pyodbc: none


def test_a_sqlite_script_splits_only_where_a_statement_ends() -> None:
    script = """-- a comment; with a semicolon
CREATE TABLE t (x VARCHAR(10) DEFAULT 'a;b');
CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = 'c;d'; END;
INSERT INTO t (x) VALUES ('e')  -- the last one without its semicolon
"""
    statements = script_statements(script)

    assert len(statements) == 3
    db = sqlite3.connect(":memory:")
    for statement in statements:
        db.execute(statement)  # one statement each, or sqlite3 refuses it
    assert db.execute("SELECT x FROM t").fetchall() == [("c;d",)]


def test_a_failing_rollback_does_not_hide_the_error_that_caused_it() -> None:
    from shared.db import SQLITE, Connection

    class DyingConnection:
        """A raw connection that dies mid-transaction: its rollback fails too."""

        def cursor(self) -> Any:
            return types.SimpleNamespace(execute=lambda sql: None)

        def rollback(self) -> None:
            raise OSError("connection reset by peer")

    conn = Connection(DyingConnection(), SQLITE)

    # When the work in a transaction fails and then so does the rollback
    with pytest.raises(ValueError, match="the real problem"), conn.transaction():
        raise ValueError("the real problem")
