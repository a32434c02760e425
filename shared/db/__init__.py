"""Database access: `connect()` gives a `Connection` for the configured backend."""

from __future__ import annotations

from shared.db.connection import Connection, Row
from shared.db.dialect import MSSQL, SQLITE, Dialect
from shared.db.sqlite import DatabaseMissing, connect_sqlite, write_gate
from shared.settings import Settings


def connect(settings: Settings, *, migrator: bool = False) -> Connection:
    """A new connection to the configured database. The caller closes it.

    The service's connections never create a database: a missing SQLite file raises
    `DatabaseMissing` rather than becoming an empty database that fails every call.
    `migrator=True` is the schema migrator's connection: it creates the SQLite file (and folder)
    if need be, and has no statement timeout, because building an index on a large table
    legitimately runs longer than SQL_QUERY_TIMEOUT_SECONDS allows an API statement, and an
    interrupted release step has to be run again; whoever runs the migrator watches it.
    """
    if settings.db_backend == "sqlite":
        raw, statement_timeout = connect_sqlite(
            settings.sqlite_path, query_timeout_seconds=settings.sql_query_timeout_seconds,
            create=migrator, statement_timeout=not migrator,
        )
        gate = write_gate(settings.sqlite_path), settings.sql_query_timeout_seconds
        return Connection(raw, SQLITE, statement_timeout, write_gate=gate)
    from shared.db.mssql import connect_mssql

    raw = connect_mssql(settings.sql_connection_string)
    # pyodbc: seconds, 0 = none
    raw.timeout = 0 if migrator else max(1, round(settings.sql_query_timeout_seconds))
    return Connection(raw, MSSQL)


__all__ = ["MSSQL", "SQLITE", "Connection", "DatabaseMissing", "Dialect", "Row", "connect"]
