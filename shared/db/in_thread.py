"""A database call from async code: on a fresh connection in a worker thread, so the event loop never
waits on the database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from shared.db import Connection, connect
from shared.settings import Settings

T = TypeVar("T")


async def in_db(settings: Settings, work: Callable[[Connection], T]) -> T:
    def run() -> T:
        with connect(settings) as conn:
            return work(conn)

    return await asyncio.to_thread(run)
