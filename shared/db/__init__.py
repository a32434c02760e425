"""Database access: `connect()` gives a `Connection` for the configured backend."""

from __future__ import annotations

from shared.db.connection import Connection, Row
from shared.db.dialect import MSSQL, SQLITE, Dialect
from shared.settings import Settings


def connect(settings: Settings) -> Connection:
    """A new connection to the configured database. The caller closes it."""
    if settings.db_backend == "sqlite":
        from shared.db.sqlite import connect_sqlite

        raw, statement_timeout = connect_sqlite(
            settings.sqlite_path, query_timeout_seconds=settings.sql_query_timeout_seconds
        )
        return Connection(raw, SQLITE, statement_timeout)
    from shared.db.mssql import connect_mssql

    raw = connect_mssql(settings.sql_connection_string)
    raw.timeout = max(1, round(settings.sql_query_timeout_seconds))  # pyodbc: seconds, 0 = none
    return Connection(raw, MSSQL)


__all__ = ["MSSQL", "SQLITE", "Connection", "Dialect", "Row", "connect"]
