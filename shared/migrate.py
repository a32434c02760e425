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
from dataclasses import dataclass
from pathlib import Path

from shared.db import Connection, connect
from shared.local_settings import apply_local_settings
from shared.settings import SettingsError, load_settings

log = logging.getLogger(__name__)

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


def apply_migrations(conn: Connection, migrations: list[Migration]) -> list[str]:
    """Apply those not yet recorded; returns the names applied now."""
    conn.execute_script(conn.dialect.sql("migrations.ensure_table"))
    applied = {row["Name"]: row["Checksum"] for row in conn.query("migrations.applied")}
    done: list[str] = []
    for migration in migrations:
        if migration.name in applied:
            if applied[migration.name] != migration.checksum:
                raise MigrationChanged(f"{migration.name} changed after it was applied")
            continue
        for batch in batches(migration.text) if conn.dialect.name == "mssql" else [migration.text]:
            conn.execute_script(batch)
        conn.query("migrations.record", (migration.name, migration.checksum))
        log.info("applied %s", migration.name)
        done.append(migration.name)
    return done


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
    with connect(settings) as conn:
        names = apply_migrations(
            conn, migrations_for(settings.db_backend, dev_platform_tables=args.dev_platform_tables)
        )
        print(f"migrations: {len(names)} applied" + (f" ({', '.join(names)})" if names else ""))
        if args.demo_data:
            from shared.demo_data import load_demo_data

            print(load_demo_data(conn, settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
