"""A server whose long write starves another's heartbeats, and which then runs the notification job
itself, as a host whose big revoke ends and whose timer starts the reminders would:
`python -m tests.support.takeover_server DB SECONDS OUT LEASE HEARTBEAT QUERY_TIMEOUT DELAY`.

Its first statement after the commit is the job's acquire, microseconds later, while the other
server's statements sleep in SQLite's busy handler: so it is usually the one to find the other's
lease expired and reclaim it. OUT gets the write lock's times, then what its run sent and its outcome.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from shared.jobs.locked_run import JobBusy, JobDone
from shared.jobs.notifications import run_notification_job
from shared.platforms import all_platforms
from shared.settings import load_settings
from tests.jobs_support import RecordingSender
from tests.support.write_blocker import hold_write_lock


def main() -> None:
    db_path, seconds, out_path, lease, heartbeat, query_timeout, delay = sys.argv[1:]
    settings = load_settings(DB_BACKEND="sqlite", SQLITE_PATH=db_path, AUTH_MODE="none",
                             JOB_LOCK_TIMEOUT_SECONDS=lease, JOB_HEARTBEAT_SECONDS=heartbeat,
                             SQL_QUERY_TIMEOUT_SECONDS=query_timeout, NOTIFY_MAX_PARALLEL=2)
    sender = RecordingSender(float(delay))
    hold_write_lock(db_path, float(seconds), out_path)
    platform = all_platforms(settings)[0]
    outcome = asyncio.run(run_notification_job(settings, platform, sender, started_by="server-c"))
    # On a loaded machine the other server's heartbeat may get in first and renew its lease (the run
    # itself has already stopped starting sends): try again, as the next timer run would.
    deadline = time.monotonic() + 60
    while isinstance(outcome, JobBusy) and time.monotonic() < deadline:
        time.sleep(0.05)
        outcome = asyncio.run(run_notification_job(settings, platform, sender, started_by="server-c"))
    with open(out_path, "a", encoding="utf-8") as out:
        out.write(json.dumps({"ran": isinstance(outcome, JobDone), "sent": [m.recipient for m in sender.sent]}) + "\n")


if __name__ == "__main__":
    main()
