"""The schema scripts: SPEC-3's tables, columns, keys and indexes, in both dialects; idempotent."""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from shared.db import Connection, connect
from shared.migrate import SQL_ROOT, Migration, apply_embedded_migrations, apply_migrations, migrations_for
from shared.migrate import main as migrate_main
from shared.settings import Settings, load_settings
from tests.support.fake_sqlserver import MSSQL_SETTINGS, fake_sqlserver

# SPEC-3, table by table: column -> T-SQL type (DESIGN's additions marked).
SPEC_TABLES: dict[str, dict[str, str]] = {
    "ExpiryNotification_Databricks": {
        "Id": "INT IDENTITY", "DeltaRequestId": "INT", "Notification_Sent_Dt": "DATETIME",
        "Notification_Sent_To": "VARCHAR", "Notification_Sent_By": "VARCHAR",
        "Notification_Type": "VARCHAR",  # (+)
    },
    "ExpiryNotification_Palantir": {
        "Id": "INT IDENTITY", "PalantirRequestId": "UNIQUEIDENTIFIER", "Notification_Sent_Dt": "DATETIME",
        "Notification_Sent_To": "VARCHAR", "Notification_Sent_By": "VARCHAR",
        "Notification_Type": "VARCHAR",  # (+)
    },
    "RevokedAccess_Databricks": {
        "Id": "INT IDENTITY", "DeltaRequestId": "INT", "Revoked_Dt": "DATETIME NOT NULL",
        "Revoked_By": "VARCHAR(100) NOT NULL",
    },
    "RevokedAccess_Palantir": {
        "Id": "INT IDENTITY", "PalantirRequestId": "UNIQUEIDENTIFIER", "Revoked_Dt": "DATETIME NOT NULL",
        "Revoked_By": "VARCHAR(100) NOT NULL",
    },
    "JobRun": {
        "Id": "INT IDENTITY", "Job_Id": "UNIQUEIDENTIFIER NOT NULL", "Job_Type": "VARCHAR(50) NOT NULL",
        "Status": "VARCHAR(20) NOT NULL", "Started_At": "DATETIME NOT NULL",
        "Started_By": "VARCHAR(100) NOT NULL", "Completed_At": "DATETIME NULL",
        "Processed_Count": "INT NULL", "Failed_Count": "INT NULL",
        "Error_Message": "VARCHAR(500) NULL", "Lock_Until": "DATETIME NULL",  # (+)
    },
}
# DESIGN section 3 (R2): added by later migrations (ALTER TABLE), and the run outcome table.
R2_ADDED_COLUMNS = {"JobRun": {"Requested_By": "VARCHAR(256) NULL"}}
R2_TABLES: dict[str, dict[str, str]] = {
    "JobRunItem": {
        "Id": "BIGINT IDENTITY", "Job_Id": "UNIQUEIDENTIFIER NOT NULL", "Request_Key": "VARCHAR(64) NOT NULL",
        "Email": "VARCHAR(320) NULL", "Action": "VARCHAR(50) NOT NULL", "Outcome": "VARCHAR(20) NOT NULL",
        "Detail": "VARCHAR(500) NULL", "Days_Left": "INT NULL", "Send_Ms": "INT NULL", "At": "DATETIME NOT NULL",
    },
}
SPEC_FOREIGN_KEYS = {
    "ExpiryNotification_Databricks": ("DeltaRequestId", "DataAccessDeltaRequests", "id"),
    "ExpiryNotification_Palantir": ("PalantirRequestId", "DataAccessPalantirRequests", "RequestId"),
    "RevokedAccess_Databricks": ("DeltaRequestId", "DataAccessDeltaRequests", "id"),
    "RevokedAccess_Palantir": ("PalantirRequestId", "DataAccessPalantirRequests", "RequestId"),
}
PRODUCTION_TSQL = "\n".join(p.read_text() for p in sorted((SQL_ROOT / "mssql").glob("*.sql")))


def create_table_body(sql: str, table: str) -> str:
    match = re.search(rf"CREATE TABLE dbo\.{table} \((.*?)\n    \);", sql, re.S)
    assert match, f"no CREATE TABLE for {table}"
    return match.group(1)


def type_pattern(sql_type: str) -> str:
    words = r"\s+".join(re.escape(w) for w in sql_type.replace("(", " (").split())
    return words.replace(r"\s+\(", r"\s*\(")  # VARCHAR(100) and VARCHAR (100) alike


@pytest.mark.parametrize("table", [*SPEC_TABLES, *R2_TABLES])
def test_tsql_migrations_create_every_spec_column_with_its_type(table: str) -> None:
    body = create_table_body(PRODUCTION_TSQL, table)
    for column, sql_type in {**SPEC_TABLES, **R2_TABLES}[table].items():
        assert re.search(rf"^\s*{column}\s+{type_pattern(sql_type)}", body, re.M | re.I), f"{table}.{column} {sql_type}"


def test_tsql_migrations_add_the_r2_columns_idempotently_and_index_the_run_outcomes() -> None:
    for table, added in R2_ADDED_COLUMNS.items():
        for column, sql_type in added.items():
            assert re.search(rf"IF COL_LENGTH\(N'dbo\.{table}', N'{column}'\) IS NULL\s+"
                             rf"ALTER TABLE dbo\.{table} ADD {column} {type_pattern(sql_type)};", PRODUCTION_TSQL)
    assert "CHECK (Outcome IN ('Sent', 'Failed', 'Revoked', 'NotStarted'))" in PRODUCTION_TSQL
    assert re.search(r"CREATE INDEX \w+ ON dbo\.JobRunItem \(Job_Id, Id\)", PRODUCTION_TSQL)


@pytest.mark.parametrize("table", SPEC_FOREIGN_KEYS)
def test_tsql_child_tables_reference_the_spec_parent_keys(table: str) -> None:
    column, parent, key = SPEC_FOREIGN_KEYS[table]
    body = create_table_body(PRODUCTION_TSQL, table)
    assert re.search(rf"FOREIGN KEY \({column}\) REFERENCES dbo\.{parent} \({key}\)", body)


def test_tsql_jobrun_has_status_check_and_one_in_progress_row_per_job_type() -> None:
    body = create_table_body(PRODUCTION_TSQL, "JobRun")
    assert "CHECK (Status IN ('InProgress', 'Completed', 'Failed'))" in body
    assert re.search(
        r"CREATE UNIQUE INDEX \w+\s+ON dbo\.JobRun \(Job_Type\) WHERE Status = 'InProgress';",
        PRODUCTION_TSQL,
    )
    assert re.search(r"CREATE INDEX \w+ ON dbo\.JobRun \(Job_Type, Started_At\)", PRODUCTION_TSQL)


def test_tsql_notification_tables_allow_one_reminder_of_each_kind_per_request() -> None:
    for table, (column, _, _) in SPEC_FOREIGN_KEYS.items():
        if table.startswith("ExpiryNotification"):
            assert re.search(
                rf"CREATE UNIQUE INDEX \w+\s+ON dbo\.{table} \({column}, Notification_Type\)",
                PRODUCTION_TSQL,
            )


def test_production_migrations_never_create_the_existing_platform_tables() -> None:
    for table in ("DataAccessDeltaRequests", "DataAccessPalantirRequests"):
        assert not re.search(rf"CREATE\s+TABLE\s+(dbo\.)?\[?{table}\b", PRODUCTION_TSQL, re.I)
    names = [m.name for m in migrations_for("mssql")]
    assert names and not any("/dev/" in name for name in names)
    assert any("/dev/" in m.name for m in migrations_for("mssql", dev_platform_tables=True))


def test_tsql_migrations_create_the_tables_in_foreign_key_order() -> None:
    positions = [PRODUCTION_TSQL.index(f"CREATE TABLE dbo.{table} ") for table in SPEC_TABLES]
    assert positions == sorted(positions)  # notifications, revocations, then JobRun (SPEC-3)


def columns(conn: Connection, table: str) -> list[str]:
    return [row["name"] for row in conn.raw.execute(f"PRAGMA table_info({table})").fetchall()
            for row in [dict(zip(("cid", "name"), row, strict=False))]]


def test_sqlite_schema_has_the_same_columns_as_the_tsql_schema(conn: Connection) -> None:
    for table, spec in {**SPEC_TABLES, **R2_TABLES}.items():
        assert columns(conn, table) == [*spec, *R2_ADDED_COLUMNS.get(table, {})], table


def schema_snapshot(conn: Connection) -> list[tuple[object, ...]]:
    return conn.raw.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()


def test_migrations_are_idempotent_run_twice_same_schema(settings: Settings) -> None:
    with connect(settings) as conn:
        before = schema_snapshot(conn)
        applied_again = apply_migrations(conn, migrations_for("sqlite"))
        # Even with the bookkeeping lost, the scripts themselves change nothing the second time.
        conn.raw.execute("DELETE FROM SchemaMigrations")
        reapplied = apply_migrations(conn, migrations_for("sqlite"))

        assert applied_again == []
        assert len(reapplied) == len(migrations_for("sqlite"))
        assert schema_snapshot(conn) == before


def test_an_upgrade_applies_only_new_scripts(tmp_path: Path, settings: Settings) -> None:
    new_script = tmp_path / "sqlite" / "999_added_later.sql"
    new_script.parent.mkdir()
    new_script.write_text("CREATE TABLE IF NOT EXISTS AddedLater (Id INTEGER PRIMARY KEY);")
    with connect(settings) as conn:
        upgraded = [*migrations_for("sqlite"), *_read(tmp_path, new_script)]

        assert apply_migrations(conn, upgraded) == ["sqlite/999_added_later.sql"]
        assert apply_migrations(conn, upgraded) == []


def _read(root: Path, path: Path) -> list:  # type: ignore[type-arg]
    return [Migration(path.relative_to(root).as_posix(), path.read_text())]


def test_an_applied_script_that_was_edited_is_refused(settings: Settings) -> None:
    from shared.migrate import MigrationChanged

    with connect(settings) as conn:
        first, *rest = migrations_for("sqlite")
        edited = Migration(first.name, first.text + "\n-- edited")
        with pytest.raises(MigrationChanged):
            apply_migrations(conn, [edited, *rest])


def errors_when_run_together(count: int, work: Callable[[], None]) -> list[BaseException]:
    """Run `work` in `count` threads released at the same instant; what they raised."""
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            work()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_migrators_started_together_on_a_new_file_all_succeed_and_record_each_script_once(tmp_path: Path) -> None:
    # Given several migrators (local hosts starting together) on files that do not exist yet
    for round_ in range(5):
        settings = load_settings(DB_BACKEND="sqlite", SQLITE_PATH=str(tmp_path / f"r{round_}" / "new.db"))

        errors = errors_when_run_together(6, partial(apply_embedded_migrations, settings))

        assert errors == [], f"round {round_}"
        with connect(settings) as conn:
            assert [r["Name"] for r in conn.query("migrations.applied")] == [m.name for m in migrations_for("sqlite")]


def test_a_failing_sqlite_migration_leaves_nothing_half_applied(tmp_path: Path, settings: Settings) -> None:
    broken = Migration("sqlite/999_broken.sql", "CREATE TABLE HalfDone (Id INTEGER);\nCREATE TABLE Broken (;")

    with connect(settings, migrator=True) as conn:
        with pytest.raises(sqlite3.OperationalError):
            apply_migrations(conn, [*migrations_for("sqlite"), broken])

        assert "HalfDone" not in {r[0] for r in conn.raw.execute("SELECT name FROM sqlite_master")}
        assert broken.name not in {r["Name"] for r in conn.query("migrations.applied")}


def test_the_app_migrates_a_new_sqlite_file_at_start_and_logs_what_it_applied(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="shared.migrate")
    settings = load_settings(DB_BACKEND="sqlite", SQLITE_PATH=str(tmp_path / "new-folder" / "app.db"))

    apply_embedded_migrations(settings)

    with connect(settings) as conn:
        assert len(conn.query("migrations.applied")) == len(migrations_for("sqlite"))
    assert "sqlite/003_jobrun.sql" in caplog.text


def test_the_app_never_migrates_sql_server_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    server = fake_sqlserver(monkeypatch, {"migrations.table_exists": [{"present": 0}]})

    apply_embedded_migrations(load_settings(**MSSQL_SETTINGS))

    assert server.executed == []  # not even connected


def test_the_migrator_refuses_sql_server_below_compatibility_level_130_and_says_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    level_120 = [{"compatibility_level": 120, "updateability": "READ_WRITE"}]
    server = fake_sqlserver(monkeypatch, {"database.properties": level_120})
    monkeypatch.chdir(tmp_path)  # no local.settings.json
    for name, value in MSSQL_SETTINGS.items():
        monkeypatch.setenv(name, value)

    assert migrate_main([]) == 2

    message = capsys.readouterr().err
    assert "compatibility level is 120" in message and "COMPATIBILITY_LEVEL = 130" in message
    assert server.names_executed() == ["database.properties"]  # nothing applied
