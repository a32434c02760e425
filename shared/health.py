"""Whether the database can serve the API: it exists, answers, runs our SQL, has the current schema
and lets the service write."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from typing import Literal

from shared.db import Connection, DatabaseMissing, connect
from shared.migrate import (
    MigrationChanged,
    applied_migrations,
    compatibility_problem,
    migrations_for,
    pending_migrations,
)
from shared.platforms import all_platforms
from shared.settings import Settings

log = logging.getLogger(__name__)

DatabaseState = Literal[
    "ok", "missing", "unreachable", "incompatible", "schema-outdated", "read-only", "not-permitted"
]
# Each statement's limit here, well inside the endpoint's 5 s: waiting behind a job's write lock
# ends (SQLITE_BUSY: the file is writable) before the answer is due, and no check outlives it.
HEALTH_STATEMENT_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class DatabaseHealth:
    state: DatabaseState
    detail: str  # for people; never exception text (health is public)


OK = DatabaseHealth("ok", "The database is current and writable.")
READ_ONLY = DatabaseHealth("read-only", "The database is read-only: the service could not record anything.")


def check_database(settings: Settings) -> DatabaseHealth:
    bounded = settings.model_copy(update={"sql_query_timeout_seconds": min(
        settings.sql_query_timeout_seconds, HEALTH_STATEMENT_TIMEOUT_SECONDS)})
    try:
        with connect(bounded) as conn:
            return _check(conn, settings)
    except DatabaseMissing as missing:
        log.warning("health: %s", missing)
        return DatabaseHealth("missing", "The database does not exist. Create it with `python -m shared.migrate`.")
    except Exception as error:
        if _read_only(error):
            return READ_ONLY
        log.warning("health: the database is unreachable", exc_info=True)
        return DatabaseHealth("unreachable", "The database did not answer; the service's log has the error.")


def _check(conn: Connection, settings: Settings) -> DatabaseHealth:
    properties = conn.query("database.properties")[0]
    if problem := compatibility_problem(properties["compatibility_level"]):
        return DatabaseHealth("incompatible", problem)
    try:
        pending = pending_migrations(migrations_for(conn.dialect.name), applied_migrations(conn))
    except MigrationChanged as changed:
        return DatabaseHealth("schema-outdated", f"{changed}: the scripts deployed are not the ones applied.")
    if pending:
        names = ", ".join(migration.name for migration in pending)
        return DatabaseHealth("schema-outdated",
                              f"Migrations not applied: {names}. Apply them with `python -m shared.migrate`.")
    if properties["updateability"] == "READ_ONLY":
        return READ_ONLY
    try:
        lacking = dict.fromkeys(
            f"{row['permission']} on {row['securable']}"
            for platform in all_platforms(settings)
            for row in conn.query("health.write_access", platform=platform)
        )
    except sqlite3.OperationalError as error:
        if error.sqlite_errorname != "SQLITE_BUSY":
            raise
        return OK  # another connection holds the write lock: the file is writable
    if lacking:
        return DatabaseHealth("not-permitted", f"The service's database user lacks {', '.join(lacking)}.")
    return OK


def _read_only(error: Exception) -> bool:
    """SQLite refuses a write on a read-only file (or opening one not yet in WAL mode) this way."""
    return isinstance(error, sqlite3.Error) and error.sqlite_errorname.startswith("SQLITE_READONLY")
