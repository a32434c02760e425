"""One connection per worker thread, for a job's database writes.

Each write runs in `asyncio.to_thread`; the thread it lands on uses its own connection, so no
connection is ever used by two writes at once (connections are not thread-safe), and a thousand
writes do not open a thousand connections. On Azure SQL the ODBC driver manager pools as well.
"""

from __future__ import annotations

import logging
import threading

from shared.db import MSSQL, SQLITE, Connection, connect
from shared.settings import Settings

log = logging.getLogger(__name__)

MSSQL_WRITERS = 4


class ConnectionPerThread:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._local = threading.local()
        self._all: list[Connection] = []
        self._guard = threading.Lock()
        # How many threads should write at once. SQLite has one writer per database: a second would
        # only wait in its busy handler, which sleeps in growing steps. SQL Server takes concurrent
        # writers; each costs a pooled connection and a thread of the default executor.
        self.writers = 1 if settings.db_backend == "sqlite" else MSSQL_WRITERS
        self.dialect = SQLITE if settings.db_backend == "sqlite" else MSSQL

    def get(self) -> Connection:
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self._settings)
            self._local.conn = conn
            with self._guard:
                self._all.append(conn)
        return conn

    def discard(self, conn: Connection) -> None:
        """Forget this thread's connection (it is dead): the next `get()` opens a new one."""
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None
        with self._guard:
            self._all = [c for c in self._all if c is not conn]
        try:
            conn.close()
        except Exception:  # closing a dead connection may fail too; it is gone either way
            log.debug("closing a dead connection failed", exc_info=True)

    def close_all(self) -> None:
        """Close every connection; call once no task uses them any more."""
        with self._guard:
            connections, self._all = self._all, []
        for conn in connections:
            conn.close()
