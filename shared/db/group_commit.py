"""Group commit: small writes that arrive together share one transaction.

A job's send tasks each await `run()` for their own write (claim a request, record a sent reminder,
release a claim) and learn its own outcome, as if they had written alone. Underneath, whatever writes
are waiting when a writer becomes free go to the database together, through `asyncio.to_thread`, on
that thread's own connection. A thousand sends that end within a few milliseconds of each other
then cost a few transactions instead of a thousand thread hand-offs and commits (measured by
`python -m bench notify`).

One bad write never fails the others: if a batch fails, it is rolled back and each of its writes
runs again in its own transaction, so only the write that fails on its own is reported failed. A
write must therefore be safe to run again after a rollback, which any write inside one is.

A dead connection (a failover, a closed file) is replaced and the transaction tried once more on
the new one, so one lost connection does not fail every later write of its thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from shared.db.connection import Connection
from shared.db.per_thread import ConnectionPerThread
from shared.db.retry import retry_deadlocks

log = logging.getLogger(__name__)

T = TypeVar("T")
Write = Callable[[Connection], Any]  # runs inside the batch's transaction; returns the write's result

# Bounds one transaction's length (and the work redone if it has to be split up).
MAX_BATCH = 200


class WritingStopped(RuntimeError):
    """The writer was cancelled or failed before it could run this write."""


def in_transaction(connections: ConnectionPerThread, writes: list[Write]) -> list[Any]:
    """The writes in one transaction on this thread's connection, reopened once if it is dead;
    a transaction chosen as deadlock victim is run again whole."""
    conn = connections.get()
    try:
        return retry_deadlocks(conn, lambda: _transaction(conn, writes))
    except Exception as error:
        if not conn.dialect.is_connection_error(error):
            raise
        log.warning("database connection lost (%s); writing again on a new one", type(error).__name__)
        connections.discard(conn)
    conn = connections.get()
    return retry_deadlocks(conn, lambda: _transaction(conn, writes))


def _transaction(conn: Connection, writes: list[Write]) -> list[Any]:
    with conn.transaction():
        return [write(conn) for write in writes]


def write_batch(connections: ConnectionPerThread, writes: list[Write]) -> list[Any]:
    """Each write's result, or the exception it failed with: together if they can, else one by one."""
    try:
        return in_transaction(connections, writes)
    except Exception as error:
        # Alone, each would only meet the same dead database again, one connection attempt each.
        if len(writes) == 1 or connections.dialect.is_connection_error(error):
            return [error] * len(writes)
        log.warning("%d writes together failed (%s); writing them one by one", len(writes), type(error).__name__)
    return [_write_alone(connections, write) for write in writes]


def _write_alone(connections: ConnectionPerThread, write: Write) -> Any:
    try:
        return in_transaction(connections, [write])[0]
    except Exception as error:
        return error


class GroupCommit:
    """Group commit for one job run. Use from the event loop only (it is not thread-safe itself)."""

    def __init__(self, connections: ConnectionPerThread) -> None:
        self._connections = connections
        self._waiting: list[tuple[Write, asyncio.Future[Any]]] = []
        self._writing = 0  # writers at work; counted here, not by their tasks, which end a step later
        self._writers: set[asyncio.Task[None]] = set()  # a reference to each, so none is collected early

    async def run(self, write: Callable[[Connection], T]) -> T:
        """Run one write in a transaction (shared with others waiting); its result, or raises why not."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((write, future))
        if self._writing < self._connections.writers:
            self._writing += 1
            writer = asyncio.create_task(self._write_while_waiting())
            self._writers.add(writer)
            writer.add_done_callback(self._writers.discard)
        return cast(T, await future)

    async def _write_while_waiting(self) -> None:
        batch: list[tuple[Write, asyncio.Future[Any]]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
                await self._write(batch)
        finally:
            self._writing -= 1
            # Only when this writer was cancelled or broke is anything left unanswered: say so rather
            # than leave its tasks waiting for ever.
            abandoned = [future for _, future in batch]
            if not self._writing:
                abandoned += [future for _, future in self._waiting]
                self._waiting.clear()
            for future in abandoned:
                if not future.done():
                    future.set_exception(WritingStopped("the writer stopped before running this write"))

    async def _write(self, batch: list[tuple[Write, asyncio.Future[Any]]]) -> None:
        writes = [write for write, _ in batch]
        outcomes: list[Any]
        try:
            outcomes = await asyncio.to_thread(write_batch, self._connections, writes)
        except Exception as error:  # e.g. the thread's connection could not be opened
            outcomes = [error] * len(batch)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # its task was cancelled meanwhile
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
