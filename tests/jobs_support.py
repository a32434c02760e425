"""Helpers for the job tests: requests at a given distance from expiry, and recording senders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from shared import joblock
from shared.db import Connection
from shared.jobs.locked_run import JobContext, WorkResult
from shared.mail.message import Reminder
from shared.platforms import Platform
from shared.repositories.access_requests import RequestKey, create_request, database_now, record_notification

REMINDERS = ("30-Day Reminder", "7-Day Reminder")


def fields_for(platform: Platform) -> dict[str, object]:
    return {c.api: f"{c.api}-value" for c in platform.fields}


def add_request(
    conn: Connection, platform: Platform, email: str, days: float | None, *, reminders_sent: int = 0,
    status: str | None = None,
) -> RequestKey:
    """A request expiring `days` from the database's now (None: never), with reminders already sent."""
    expires = None if days is None else database_now(conn) + timedelta(days=days)
    key = create_request(conn, platform, fields=fields_for(platform), email=email, expires_on=expires,
                         status=status)
    for reminder in REMINDERS[:reminders_sent]:
        record_notification(conn, platform, key, sent_to=email, sent_by="test", reminder_type=reminder)
    return key


def work_while_others_try_the_lock(
    conn: Connection, job_type: str, *, tries: int, timeout_seconds: float, every: float = 0.2
) -> tuple[Callable[[JobContext], Awaitable[WorkResult[None]]], list[bool]]:
    """Work that lasts `tries * every` seconds, during which another server tries to take the lock
    every `every` seconds; the list says, for each try, whether it was refused."""
    refused: list[bool] = []

    async def work(context: JobContext) -> WorkResult[None]:
        for _ in range(tries):
            await asyncio.sleep(every)
            refused.append(not await asyncio.to_thread(
                joblock.try_acquire_lock, conn, joblock.new_job_id(), job_type, "b", timeout_seconds=timeout_seconds))
        return WorkResult(None, processed=0, failed=0)

    return work, refused


class RecordingSender:
    """Succeeds after an optional await, remembering what it sent and how many were in flight."""

    def __init__(self, delay: float = 0.0, raise_for: dict[str, BaseException] | None = None) -> None:
        self.delay = delay
        self.timeout_seconds = delay + 1.0
        self.raise_for = raise_for or {}
        self.sent: list[Reminder] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def send(self, message: Reminder) -> None:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            error = self.raise_for.get(message.recipient)
            if error is not None:
                raise error
            self.sent.append(message)
        finally:
            self.in_flight -= 1
