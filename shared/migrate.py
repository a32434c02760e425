"""Apply the schema scripts in sql/<dialect>/ and record which ran.

    python -m shared.migrate [--demo-data] [--dev-platform-tables]

Each script is idempotent on its own (IF NOT EXISTS), so a run interrupted between a script and its
record is simply repeated; the record is what lets an upgrade apply only new scripts.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
import sys
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from shared.db import Connection, connect
from shared.local_settings import apply_local_settings
from shared.settings import Settings, SettingsError, load_settings

log = logging.getLogger(__name__)

# OPENJSON (requests.get_active_many) needs SQL Server 2016's compatibility level or higher.
MIN_COMPATIBILITY_LEVEL = 130
SQL_ROOT = Path(__file__).resolve().parent.parent / "sql"
_GO = re.compile(r"^\s*GO\s*;?\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Migration:
    name: str  # path under sql/, e.g. "mssql/003_jobrun.sql"
    text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


class MigrationChanged(RuntimeError):
    """An applied script was edited afterwards: write a new script instead."""


class DatabaseIncompatible(RuntimeError):
    """The database cannot run the service's statements; the message says what to change."""


def migrations_for(dialect: str, *, dev_platform_tables: bool = False) -> list[Migration]:
    """Scripts in order. SQLite always includes its platform stand-ins (000); SQL Server only on
    request, for a local server, because production owns those tables."""
    folders = [SQL_ROOT / dialect]
    if dialect == "mssql" and dev_platform_tables:
        folders.insert(0, SQL_ROOT / "mssql" / "dev")
    return [
        Migration(path.relative_to(SQL_ROOT).as_posix(), path.read_text(encoding="utf-8"))
        for folder in folders
        for path in sorted(folder.glob("*.sql"))
    ]


def batches(script: str) -> list[str]:
    """T-SQL scripts are batches separated by GO lines (a client convention, not T-SQL)."""
    return [batch.strip() for batch in _GO.split(script) if batch.strip()]


def compatibility_problem(level: int | None) -> str | None:
    """What is wrong with a SQL Server compatibility level, if anything (None: SQLite has none)."""
    if level is None or level >= MIN_COMPATIBILITY_LEVEL:
        return None
    return (f"The database's compatibility level is {level}; the service needs {MIN_COMPATIBILITY_LEVEL} "
            f"or higher for OPENJSON: ALTER DATABASE CURRENT SET COMPATIBILITY_LEVEL = {MIN_COMPATIBILITY_LEVEL}.")


def applied_migrations(conn: Connection) -> dict[str, str]:
    """Checksums of the recorded migrations by name; none where the record table does not exist."""
    if not conn.query("migrations.table_exists")[0]["present"]:
        return {}
    return {row["Name"]: row["Checksum"] for row in conn.query("migrations.applied")}


def pending_migrations(migrations: list[Migration], applied: dict[str, str]) -> list[Migration]:
    """Those not applied yet, in order; an applied one edited since raises `MigrationChanged`."""
    for migration in migrations:
        if applied.get(migration.name, migration.checksum) != migration.checksum:
            raise MigrationChanged(f"{migration.name} changed after it was applied")
    return [migration for migration in migrations if migration.name not in applied]


def apply_migrations(conn: Connection, migrations: list[Migration]) -> list[str]:
    """Apply those not yet recorded; returns the names applied now."""
    problem = compatibility_problem(conn.query("database.properties")[0]["compatibility_level"])
    if problem:
        raise DatabaseIncompatible(problem)
    done: list[str] = []
    # SQLite: the whole run in one write transaction (its DDL is transactional), so migrators that
    # start together, as two local hosts on a new file do, take turns, and a failing script leaves
    # nothing half applied; a script therefore cannot use VACUUM or PRAGMA foreign_keys.
    # SQL Server: batch by batch; there migrating is a single release step.
    with conn.transaction() if conn.dialect.name == "sqlite" else nullcontext(conn):
        conn.execute_script(conn.dialect.sql("migrations.ensure_table"))
        for migration in pending_migrations(migrations, applied_migrations(conn)):
            for batch in batches(migration.text) if conn.dialect.name == "mssql" else [migration.text]:
                conn.execute_script(batch)
            conn.query("migrations.record", (migration.name, migration.checksum))
            log.info("applied %s", migration.name)
            done.append(migration.name)
    return done


def apply_embedded_migrations(settings: Settings) -> None:
    """On the embedded default, bring the SQLite file up to date (creating it), so a new SQLITE_PATH
    serves at once rather than failing every call. Never on SQL Server: migrating there is a
    release step (`python -m shared.migrate`), and /api/health reports what is pending."""
    if settings.db_backend != "sqlite":
        return
    with connect(settings, migrator=True) as conn:
        applied = apply_migrations(conn, migrations_for("sqlite"))
    if applied:
        log.info("SQLite database %s brought up to date at start: %d applied", settings.sqlite_path, len(applied))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.migrate", description=__doc__)
    parser.add_argument("--demo-data", action="store_true",
                        help="fill both platforms with demo requests when they are empty")
    parser.add_argument("--dev-platform-tables", action="store_true",
                        help="SQL Server only: also create the two platform tables (never in production)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    apply_local_settings()
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    with connect(settings, migrator=True) as conn:
        try:
            names = apply_migrations(
                conn, migrations_for(settings.db_backend, dev_platform_tables=args.dev_platform_tables)
            )
        except (DatabaseIncompatible, MigrationChanged) as error:
            print(error, file=sys.stderr)
            return 2
        print(f"migrations: {len(names)} applied" + (f" ({', '.join(names)})" if names else ""))
        if args.demo_data:
            from shared.demo_data import load_demo_data

            print(load_demo_data(conn, settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
