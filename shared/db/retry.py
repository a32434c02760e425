"""Rerunning a whole transaction that SQL Server chose as deadlock victim."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from shared.db.connection import Connection

log = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_BACKOFF_SECONDS = 0.1


def retry_deadlocks(
    conn: Connection,
    fn: Callable[[], T],
    *,
    attempts: int = 3,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `fn`, and run it again (up to `attempts` runs in all) while it is chosen as deadlock victim.

    Safe only when `fn` is a whole transaction: it opens its own (`conn.transaction()`) or is one
    statement in autocommit. The victim's whole transaction was rolled back, so nothing of it
    remains and running it again is running it once. A statement inside a caller's larger
    transaction is NOT safe to repeat: the caller's earlier statements were rolled back with it, and
    repeating the last alone would commit half a transaction. So inside a transaction `fn` runs
    once and the deadlock reaches the caller, whose own transaction is the one to rerun.
    """
    runs = 1 if conn.in_transaction else attempts
    for run in range(1, runs + 1):
        try:
            return fn()
        except Exception as error:
            if run == runs or not conn.dialect.is_deadlock(error):
                raise
            delay = FIRST_BACKOFF_SECONDS * 2 ** (run - 1)
            # The winner holds its locks until it commits: give it that moment before rerunning.
            log.warning("chosen as deadlock victim; rerunning the transaction (run %d) in %.1fs", run + 1, delay)
            sleep(delay)
    raise AssertionError("unreachable")
