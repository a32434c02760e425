"""Group commit of a run's writes: fewer transactions, yet each write succeeds or fails on its own."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest

import shared.db.group_commit as group_commit_module
from shared.db import Connection
from shared.db.group_commit import GroupCommit, Write
from shared.db.per_thread import ConnectionPerThread
from shared.platforms import all_platforms
from shared.repositories.access_requests import RequestKey, list_requests, record_notification
from shared.settings import Settings, load_settings
from tests.jobs_support import add_request

PLATFORM = all_platforms(load_settings())[0]


class BatchLog:
    """Wraps write_batch: the size of each batch, and the most batches ever written at once."""

    def __init__(self, original: Callable[..., Any], pause: float = 0.0) -> None:
        self.original, self.pause = original, pause
        self.sizes: list[int] = []
        self.in_flight = self.max_in_flight = 0
        self.guard = threading.Lock()

    def __call__(self, connections: ConnectionPerThread, writes: list[Write]) -> Any:
        with self.guard:
            self.sizes.append(len(writes))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.pause)  # long enough for another writer to overlap, were one allowed
            return self.original(connections, writes)
        finally:
            with self.guard:
                self.in_flight -= 1


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> BatchLog:
    log = BatchLog(group_commit_module.write_batch, pause=0.02)
    monkeypatch.setattr(group_commit_module, "write_batch", log)
    return log


def reminder(key: RequestKey, email: str, reminder_type: str = "30-Day Reminder") -> Write:
    return lambda conn: record_notification(conn, PLATFORM, key, sent_to=email, sent_by="test",
                                            reminder_type=reminder_type)


async def record_all(settings: Settings, reminders: list[Write], stagger: float = 0.0,
                     connections: ConnectionPerThread | None = None) -> list[datetime | BaseException]:
    connections = connections or ConnectionPerThread(settings)
    writes = GroupCommit(connections)

    async def one(index: int, item: Write) -> datetime:
        await asyncio.sleep(index * stagger)
        result: datetime = await writes.run(item)
        return result

    try:
        return await asyncio.gather(*(one(i, r) for i, r in enumerate(reminders)), return_exceptions=True)
    finally:
        connections.close_all()


def reminder_counts(conn: Connection) -> dict[str, int]:
    return {r.email: r.notification_count for r in list_requests(conn, PLATFORM, offset=0, limit=100)}


def test_reminders_that_finish_together_are_recorded_in_one_transaction(
    conn: Connection, settings: Settings, batches: BatchLog
) -> None:
    # Given 40 sent reminders whose sends finished at the same moment
    reminders = [reminder(add_request(conn, PLATFORM, f"u{n}@example.com", 10), f"u{n}@example.com")
                 for n in range(40)]

    # When each task records its own
    outcomes = asyncio.run(record_all(settings, reminders))

    # Then every one is recorded with its time, in a single transaction
    assert all(isinstance(o, datetime) for o in outcomes)
    assert batches.sizes == [40]
    assert set(reminder_counts(conn).values()) == {1}


def test_a_reminder_that_cannot_be_recorded_fails_alone_and_its_batch_is_still_recorded(
    any_conn: Connection, any_settings: Settings
) -> None:
    # Given three requests, one of which already has its 30-day reminder recorded
    keys = {name: add_request(any_conn, PLATFORM, f"{name}@example.com", 10, reminders_sent=int(name == "bob"))
            for name in ("ann", "bob", "cid")}

    # When all three 30-day reminders are recorded together
    outcomes = asyncio.run(record_all(any_settings, [reminder(k, f"{n}@example.com") for n, k in keys.items()]))

    # Then only bob's fails (the unique index), and ann's and cid's are recorded
    ann, bob, cid = outcomes
    assert isinstance(ann, datetime) and isinstance(cid, datetime)
    assert isinstance(bob, Exception) and any_conn.dialect.is_duplicate_key(bob)
    assert reminder_counts(any_conn) == {"ann@example.com": 1, "bob@example.com": 1, "cid@example.com": 1}


def test_sqlite_writes_one_batch_at_a_time_and_nothing_waits_unwritten(
    conn: Connection, settings: Settings, batches: BatchLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given reminders arriving over time, and batches of at most 4
    monkeypatch.setattr(group_commit_module, "MAX_BATCH", 4)
    reminders = [reminder(add_request(conn, PLATFORM, f"u{n}@example.com", 10), f"u{n}@example.com")
                 for n in range(30)]

    # When each is recorded as it arrives
    outcomes = asyncio.run(record_all(settings, reminders, stagger=0.003))

    # Then all are recorded, in several batches that never overlap on SQLite's single writer
    assert all(isinstance(o, datetime) for o in outcomes)
    assert sum(batches.sizes) == 30 and max(batches.sizes) <= 4 and len(batches.sizes) >= 8
    assert batches.max_in_flight == 1
    assert set(reminder_counts(conn).values()) == {1}


def test_sql_server_may_write_several_batches_at_once(settings: Settings) -> None:
    # SQL Server takes concurrent writers, each on its own connection; SQLite has one writer.
    assert ConnectionPerThread(settings).writers == 1
    mssql = settings.model_copy(update={"db_backend": "mssql"})
    assert ConnectionPerThread(mssql).writers > 1


def test_a_dead_connection_is_replaced_and_its_writes_still_recorded(conn: Connection, settings: Settings) -> None:
    connections = ConnectionPerThread(settings)
    keys = {f"u{n}@example.com": add_request(conn, PLATFORM, f"u{n}@example.com", 10) for n in range(4)}

    async def scenario() -> list[object]:
        # One worker thread, so the later writes land on the thread whose connection dies
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=1))
        writes = GroupCommit(connections)
        # Given a writer thread that has recorded a reminder on its own connection
        await writes.run(reminder(keys["u0@example.com"], "u0@example.com"))
        # and whose connection then dies under it (closed, as a failover drops it)
        dead = list(connections._all)
        for cached in dead:
            cached.raw.close()
        # When later reminders are recorded on that thread
        later = [writes.run(reminder(keys[email], email)) for email in list(keys)[1:]]
        outcomes: list[object] = await asyncio.gather(*later, return_exceptions=True)
        assert not set(connections._all) & set(dead)  # the dead one was replaced
        return outcomes

    outcomes = asyncio.run(scenario())

    # Then every one is recorded
    assert all(isinstance(o, datetime) for o in outcomes), outcomes
    assert reminder_counts(conn) == dict.fromkeys(keys, 1)
    connections.close_all()
