"""The embedded default: one SQLite file that several host processes share, like Function
instances share one Azure SQL database."""

from __future__ import annotations

import math
import sqlite3
import time
from pathlib import Path

CACHE_KIB = 64 * 1024
# The progress handler runs every this many virtual-machine instructions (a few microseconds).
_PROGRESS_STEPS = 1000


class StatementTimeout:
    """SQLite has no statement timeout of its own (SQL Server's driver has `timeout`).

    Waiting for another writer is bounded by the busy timeout; running too long is bounded here: a
    progress handler interrupts a statement once it has run past its deadline, and the statement
    fails with `sqlite3.OperationalError: interrupted`. `Connection` enters it around each statement.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._deadline = math.inf

    def __enter__(self) -> StatementTimeout:
        self._deadline = time.monotonic() + self.seconds
        return self

    def __exit__(self, *exc: object) -> None:
        self._deadline = math.inf

    def expired(self) -> int:
        return 1 if time.monotonic() > self._deadline else 0


def connect_sqlite(path: str, *, query_timeout_seconds: float) -> tuple[sqlite3.Connection, StatementTimeout]:
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: autocommit; transactions are explicit (BEGIN IMMEDIATE) in Connection.
    # Waiting for another writer's lock counts against the same statement timeout.
    raw = sqlite3.connect(
        path, timeout=query_timeout_seconds, isolation_level=None, check_same_thread=False
    )
    raw.execute("PRAGMA journal_mode=WAL")  # readers never block the writer and vice versa
    raw.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
    raw.execute(f"PRAGMA busy_timeout={max(1, round(query_timeout_seconds * 1000))}")
    raw.execute("PRAGMA foreign_keys=ON")
    # A 64 MiB page cache instead of the default 2 MiB, taken only as pages are read: a revoke of
    # many requests dirties pages all over the table, and a small cache spills and rereads them.
    raw.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    timeout = StatementTimeout(query_timeout_seconds)
    raw.set_progress_handler(timeout.expired, _PROGRESS_STEPS)
    return raw, timeout
