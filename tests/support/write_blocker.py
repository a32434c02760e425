"""Another "server" holding SQLite's write lock: `python -m tests.support.write_blocker DB SECONDS OUT`.

Stands in for a long write transaction on another host (a big revoke): BEGIN IMMEDIATE, hold it for
SECONDS, commit. OUT gets one JSON line when the lock is taken and one when it is released, with
CLOCK_MONOTONIC times (one clock for every process on the machine).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time


def note(out_path: str, **times: float) -> None:
    with open(out_path, "a", encoding="utf-8") as out:
        out.write(json.dumps(times) + "\n")


def hold_write_lock(db_path: str, seconds: float, out_path: str) -> None:
    conn = sqlite3.connect(db_path, timeout=60, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    note(out_path, taken=time.monotonic())
    time.sleep(seconds)
    conn.execute("COMMIT")
    note(out_path, released=time.monotonic())
    conn.close()


if __name__ == "__main__":
    hold_write_lock(sys.argv[1], float(sys.argv[2]), sys.argv[3])
