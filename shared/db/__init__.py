"""Database access: `connect()` gives a `Connection` for the configured backend."""

from __future__ import annotations

from shared.db.connection import Connection, Row
from shared.db.dialect import MSSQL, SQLITE, Dialect
from shared.settings import Settings


def connect(settings: Settings) -> Connection:
    """A new connection to the configured database. The caller closes it."""
    if settings.db_backend == "sqlite":
        from shared.db.sqlite import connect_sqlite

        return Connection(connect_sqlite(settings.sqlite_path), SQLITE)
    from shared.db.mssql import connect_mssql

    return Connection(connect_mssql(settings.sql_connection_string), MSSQL)


__all__ = ["MSSQL", "SQLITE", "Connection", "Dialect", "Row", "connect"]
