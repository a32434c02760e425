"""One connection per worker thread, for the parallel tasks' database writes.

Each write runs in `asyncio.to_thread`; the thread it lands on uses its own connection, so no
connection is ever used by two tasks at once (connections are not thread-safe), and a thousand
writes do not open a thousand connections. On Azure SQL the ODBC driver manager pools as well.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext

from shared.db import Connection, connect
from shared.settings import Settings


class ConnectionPerThread:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._local = threading.local()
        self._all: list[Connection] = []
        self._guard = threading.Lock()
        # SQLite has one writer at a time; writers that collide wait in its busy handler, which
        # sleeps in growing steps. Taking turns here instead keeps a burst of small writes fast.
        self._sqlite_writer = threading.Lock() if settings.db_backend == "sqlite" else None

    def write_turn(self) -> AbstractContextManager[object]:
        """Hold this around a write: serialises writers on SQLite, nothing on SQL Server."""
        return self._sqlite_writer if self._sqlite_writer is not None else nullcontext()

    def get(self) -> Connection:
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self._settings)
            self._local.conn = conn
            with self._guard:
                self._all.append(conn)
        return conn

    def close_all(self) -> None:
        """Close every connection; call once no task uses them any more."""
        with self._guard:
            connections, self._all = self._all, []
        for conn in connections:
            conn.close()
