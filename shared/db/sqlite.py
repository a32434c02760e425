"""The embedded default: one SQLite file that several host processes share, like Function
instances share one Azure SQL database."""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections import deque
from pathlib import Path

CACHE_KIB = 64 * 1024
# The progress handler runs every this many virtual-machine instructions (a few microseconds).
_PROGRESS_STEPS = 1000
_WAL_RETRY_SECONDS = 0.01
# A turn handed over at once costs no busy time worth a PRAGMA to take off.
_GATE_WAIT_UNNOTICED = 0.005


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


class WriteGate:
    """The writers of one process to one SQLite file, first come first served.

    SQLite has one writer per database, and a writer kept waiting sleeps in its busy handler in
    growing steps (up to 100 ms): while one thread commits back-to-back transactions (a run's group
    commit), another thread that wants one line (a POST taking its job's lock) wakes only in the
    gaps, and can sleep through dozens of them. Here a waiting writer is handed the turn the moment
    the one before it commits. Writers in other processes still meet the busy handler, as before.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()
        self._taken = False

    def enter(self, timeout_seconds: float) -> bool:
        """Whether this thread got the turn within the timeout."""
        with self._guard:
            if not self._taken:
                self._taken = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        if turn.acquire(timeout=timeout_seconds):
            return True
        with self._guard:
            if turn in self._waiting:
                self._waiting.remove(turn)
                return False
        return True  # handed the turn just as the wait ran out

    def leave(self) -> None:
        with self._guard:
            if self._waiting:
                self._waiting.popleft().release()  # the turn passes straight on
            else:
                self._taken = False


def begin_immediate(raw: sqlite3.Connection, gate: tuple[WriteGate, float] | None) -> WriteGate | None:
    """BEGIN IMMEDIATE, after the process's writers ahead at the gate (with its timeout): the gate
    to leave once the transaction ends, or None without one. The wait at the gate and in SQLite's
    busy handler together stay within the timeout, so a writer fails at SQL_QUERY_TIMEOUT_SECONDS
    as it did before the gate, never at twice that."""
    if gate is None:
        raw.cursor().execute("BEGIN IMMEDIATE")
        return None
    write_gate, timeout_seconds = gate
    started = time.monotonic()
    if not write_gate.enter(timeout_seconds):
        raise sqlite3.OperationalError("database is locked")  # as the busy handler says after that wait
    try:
        left = timeout_seconds - (time.monotonic() - started)
        if left < timeout_seconds - _GATE_WAIT_UNNOTICED:
            raw.cursor().execute(f"PRAGMA busy_timeout={_busy_ms(left)}")
            try:
                raw.cursor().execute("BEGIN IMMEDIATE")
            finally:
                raw.cursor().execute(f"PRAGMA busy_timeout={_busy_ms(timeout_seconds)}")
        else:
            raw.cursor().execute("BEGIN IMMEDIATE")
    except BaseException:
        write_gate.leave()
        raise
    return write_gate


def _busy_ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


_GATES: dict[str, WriteGate] = {}
_GATES_GUARD = threading.Lock()


def write_gate(path: str) -> WriteGate:
    """The process's gate for the file at `path`."""
    key = str(Path(path).resolve())
    with _GATES_GUARD:
        return _GATES.setdefault(key, WriteGate())


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
    raw.execute(f"PRAGMA busy_timeout={_busy_ms(query_timeout_seconds)}")
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
