"""The embedded default: one SQLite file that several host processes share, like Function
instances share one Azure SQL database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# Writers queue behind BEGIN IMMEDIATE for up to this long instead of failing with "locked".
BUSY_TIMEOUT_SECONDS = 30.0
CACHE_KIB = 64 * 1024


def connect_sqlite(path: str) -> sqlite3.Connection:
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: autocommit; transactions are explicit (BEGIN IMMEDIATE) in Connection.
    raw = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
    )
    raw.execute("PRAGMA journal_mode=WAL")  # readers never block the writer and vice versa
    raw.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
    raw.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    raw.execute("PRAGMA foreign_keys=ON")
    # A 64 MiB page cache instead of the default 2 MiB, taken only as pages are read: a revoke of
    # many requests dirties pages all over the table, and a small cache spills and rereads them.
    raw.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    return raw
