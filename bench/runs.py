"""Runs over the queue (DESIGN section 5, R2): one `python -m devhost` and its own Azurite.

1. How long the POST takes to answer with `Prefer: respond-async` (goal p99 <= 200 ms) while a
   notification run of the other platform is sending: Palantir revoke runs (nothing to revoke)
   are started one after another, each waited for before the next.
2. That notification run itself: N Databricks reminders, simulated send delay D, no rate limit;
   wall time from its start to its completion (the JobRun row) over D (goal <= 1.15).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx

from bench.body import free_port, stop, wait_listening
from bench.data import insert_requests, migrated, verdict
from bench.notify import MAX_PARALLEL_SETTING, SPREAD
from devhost.azurite import azurite_command, find_azurite, is_answering
from devhost.storage import development_connection_string

REPO_ROOT = Path(__file__).resolve().parent.parent
STARTS = 50


def _seconds(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def run(directory: Path, *, n: int, delay: float) -> None:
    db = directory / "runs.db"
    settings = migrated(db)
    insert_requests(settings, n, SPREAD)  # Databricks requests, all due a reminder
    azurite_port, port = free_port(), free_port()
    azurite = subprocess.Popen(azurite_command(find_azurite([REPO_ROOT]), azurite_port, directory),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    host: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.monotonic() + 60
        while not is_answering(azurite_port) and time.monotonic() < deadline:
            time.sleep(0.2)
        env = {**os.environ, "DB_BACKEND": "sqlite", "SQLITE_PATH": str(db), "AUTH_MODE": "none",
               "EMAIL_SIMULATED_DELAY_SECONDS": str(delay), "NOTIFY_MAX_PARALLEL": str(min(n, MAX_PARALLEL_SETTING)),
               "REVOKE_DEMO_DELAY_SECONDS": "0", "DEVHOST_DISABLE_TIMERS": "1", "PYTHONPATH": str(REPO_ROOT),
               "AzureWebJobsStorage": development_connection_string(azurite_port), "JOB_QUEUE_NAME": "bench-runs",
               "DEVHOST_STATIC_DIR": str(directory / "no-front-end")}
        host = subprocess.Popen([sys.executable, "-m", "devhost", "--port", str(port)], env=env, cwd=directory,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_listening(port, host)
        base = f"http://127.0.0.1:{port}/api"
        prefer = {"Prefer": "respond-async"}
        with httpx.Client(timeout=60) as client:
            notify = client.post(f"{base}/databricks/access-requests/send-expiry-notifications", headers=prefer)
            assert notify.status_code == 202, notify.text
            answers: list[float] = []
            for _ in range(STARTS):
                started = time.perf_counter()
                reply = client.post(f"{base}/palantir/access-requests/revoke-expired", headers=prefer)
                answers.append((time.perf_counter() - started) * 1000)
                assert reply.status_code == 202, reply.text
                while client.get(reply.headers["location"].replace("/api", base, 1)).json()["status"] == "InProgress":
                    time.sleep(0.05)
            while (run_row := client.get(f"{base}/databricks/jobs/{notify.json()['jobId']}").json())["status"] == \
                    "InProgress":
                time.sleep(0.5)
        answers.sort()
        p99 = answers[min(len(answers) - 1, round(0.99 * len(answers)))]
        print(f"runs: POST with Prefer: respond-async while {n} reminders (D = {delay:g} s) send on the other platform")
        print(f"  {STARTS} starts: median {answers[len(answers) // 2]:.0f} ms, p99 {p99:.0f} ms "
              f"(goal <= 200 ms): {verdict(p99 <= 200)}")
        wall = _seconds(run_row["completedAt"]) - _seconds(run_row["startedAt"])
        result = run_row["result"]
        print(f"  the run: {result['notifiedCount']} sent, {result['failedCount']} failed, wall {wall:.2f} s from "
              f"start to completion (its queue wait included), wall/D {wall / delay:.2f} (goal <= 1.15): "
              f"{verdict(wall / delay <= 1.15)}")
    finally:
        for process in (host, azurite):
            if process is not None:
                stop(process)
