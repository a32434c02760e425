"""Recording sent reminders: sends that finish together share one transaction (group commit).

Each send task awaits `record()` for its own reminder and learns whether that reminder was recorded,
as if it had written it alone. Underneath, whatever successes are waiting when a writer becomes free
go to the database together, through `asyncio.to_thread`, on that thread's own connection. A thousand
sends that end within a few milliseconds of each other then cost a few transactions instead of a
thousand thread hand-offs and commits (measured by `python -m bench notify`).

One bad row never fails the others: if a batch fails, it is rolled back and each of its reminders is
written again in its own transaction, so only the row that fails on its own is reported failed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from shared.db import Connection
from shared.db.per_thread import ConnectionPerThread
from shared.platforms import Platform
from shared.repositories.access_requests import RequestKey, record_notification

log = logging.getLogger(__name__)

# Bounds one transaction's length (and the work redone if it has to be split up).
MAX_BATCH = 200


@dataclass(frozen=True)
class SentReminder:
    key: RequestKey
    email: str
    reminder_type: str
    sent_by: str


Outcome = datetime | Exception  # the time it was recorded, or why it was not


class RecordingStopped(RuntimeError):
    """The writer was cancelled or failed before it could record this reminder."""


def write_batch(conn: Connection, platform: Platform, reminders: list[SentReminder]) -> list[Outcome]:
    """Record the reminders in one transaction; if that fails, each in its own."""
    try:
        with conn.transaction():
            return [_insert(conn, platform, reminder) for reminder in reminders]
    except Exception as error:
        if len(reminders) == 1:
            return [error]
        log.warning("recording %d reminders together failed (%s); recording them one by one",
                    len(reminders), type(error).__name__)
    return [_insert_alone(conn, platform, reminder) for reminder in reminders]


def _insert(conn: Connection, platform: Platform, reminder: SentReminder) -> datetime:
    return record_notification(conn, platform, reminder.key, sent_to=reminder.email,
                               sent_by=reminder.sent_by, reminder_type=reminder.reminder_type)


def _insert_alone(conn: Connection, platform: Platform, reminder: SentReminder) -> Outcome:
    try:
        with conn.transaction():
            return _insert(conn, platform, reminder)
    except Exception as error:
        return error


class NotificationRecorder:
    """Group commit for one job run. Use from the event loop only (it is not thread-safe itself)."""

    def __init__(self, connections: ConnectionPerThread, platform: Platform) -> None:
        self._connections = connections
        self._platform = platform
        self._waiting: list[tuple[SentReminder, asyncio.Future[datetime]]] = []
        self._writing = 0  # writers at work; counted here, not by their tasks, which end a step later
        self._writers: set[asyncio.Task[None]] = set()  # a reference to each, so none is collected early

    async def record(self, reminder: SentReminder) -> datetime:
        """Record one sent reminder; returns the database time it was recorded, or raises why not."""
        future: asyncio.Future[datetime] = asyncio.get_running_loop().create_future()
        self._waiting.append((reminder, future))
        if self._writing < self._connections.writers:
            self._writing += 1
            writer = asyncio.create_task(self._write_while_waiting())
            self._writers.add(writer)
            writer.add_done_callback(self._writers.discard)
        return await future

    async def _write_while_waiting(self) -> None:
        batch: list[tuple[SentReminder, asyncio.Future[datetime]]] = []
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
                    future.set_exception(RecordingStopped("the recorder stopped before recording this"))

    async def _write(self, batch: list[tuple[SentReminder, asyncio.Future[datetime]]]) -> None:
        reminders = [reminder for reminder, _ in batch]
        outcomes: list[Outcome]
        try:
            outcomes = await asyncio.to_thread(
                lambda: write_batch(self._connections.get(), self._platform, reminders)
            )
        except Exception as error:  # e.g. the thread's connection could not be opened
            outcomes = [error] * len(batch)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # its task was cancelled meanwhile
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
