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
_WAL_RETRY_SECONDS = 0.01


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


def script_statements(script: str) -> list[str]:
    """A script's statements, one by one: split at each ';' that SQLite's own tokenizer says ends a
    statement, so a ';' inside a string, comment or trigger body does not split it."""
    statements: list[str] = []
    current = ""
    *ended, rest = script.split(";")
    for piece in ended:
        current += piece + ";"
        if sqlite3.complete_statement(current):
            statements.append(current)
            current = ""
    if (current + rest).strip():  # comments after the last statement, or one without its ';'
        statements.append(current + rest)
    return statements


class DatabaseMissing(RuntimeError):
    """The SQLite file does not exist: only the migrator creates it (`python -m shared.migrate`)."""


def connect_sqlite(
    path: str, *, query_timeout_seconds: float, create: bool = False, statement_timeout: bool = True
) -> tuple[sqlite3.Connection, StatementTimeout | None]:
    """`create`: make the folder and the file if missing (the migrator only); otherwise a missing
    file raises `DatabaseMissing` instead of silently starting an empty database.
    `statement_timeout=False`: statements may run as long as they need (locks are still waited
    for at most `query_timeout_seconds`)."""
    if create:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # A URI, for its open mode: rw never creates the file, rwc does.
    uri = f"{Path(path).absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
    try:
        # isolation_level=None: autocommit; transactions are explicit (BEGIN IMMEDIATE) in Connection.
        # Waiting for another writer's lock counts against the same statement timeout.
        raw = sqlite3.connect(
            uri, uri=True, timeout=query_timeout_seconds, isolation_level=None, check_same_thread=False
        )
    except sqlite3.OperationalError:
        if not Path(path).exists():  # anything else (a folder, say) is the error sqlite3 gave
            raise DatabaseMissing(
                f"SQLite database {path} does not exist: create it with `python -m shared.migrate`"
            ) from None
        raise
    try:
        _configure(raw, query_timeout_seconds)
    except BaseException:  # e.g. a read-only file that is not in WAL mode yet
        raw.close()
        raise
    if not statement_timeout:
        return raw, None
    timeout = StatementTimeout(query_timeout_seconds)
    raw.set_progress_handler(timeout.expired, _PROGRESS_STEPS)
    return raw, timeout


def _configure(raw: sqlite3.Connection, query_timeout_seconds: float) -> None:
    _use_wal(raw, query_timeout_seconds)  # readers never block the writer and vice versa
    raw.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
    raw.execute(f"PRAGMA busy_timeout={max(1, round(query_timeout_seconds * 1000))}")
    raw.execute("PRAGMA foreign_keys=ON")
    # A 64 MiB page cache instead of the default 2 MiB, taken only as pages are read: a revoke of
    # many requests dirties pages all over the table, and a small cache spills and rereads them.
    raw.execute(f"PRAGMA cache_size=-{CACHE_KIB}")


def _use_wal(raw: sqlite3.Connection, timeout_seconds: float) -> None:
    # Switching a new file to WAL takes a moment's exclusive lock, and SQLite answers "locked" at
    # once instead of waiting in the busy handler: processes opening a new file together retry.
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            raw.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if error.sqlite_errorname != "SQLITE_BUSY" or time.monotonic() > deadline:
                raise
            time.sleep(_WAL_RETRY_SECONDS)
