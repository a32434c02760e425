"""Runs over the queue (DESIGN section 5, R2): one `python -m devhost` and its own Azurite.

1. How long the POST takes to answer with `Prefer: respond-async` (goal p99 <= 200 ms) while a
   notification run of the other platform is sending: Palantir revoke runs (nothing to revoke)
   are started one after another, each waited for before the next.
2. That notification run itself: N Databricks reminders, simulated send delay D, no rate limit;
   its wall time over D (goal <= 1.15), counted from when the queue-triggered executor took it over
   (the host's log line, seen as it is written) to its completion (the JobRun row); and, apart,
   how long its message waited to be picked up (at most host.json's maxPollingInterval) and the
   wall from the POST's start.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
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


class TakeOverWatch:
    """Reads the host's log as it is written and notes when each run was taken over (time.time(),
    the clock SQLite's timestamps come from on this machine)."""

    def __init__(self, host: subprocess.Popen[bytes]) -> None:
        assert host.stderr is not None
        self._stream = host.stderr
        self.taken_over: dict[str, float] = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self._stream:  # read to the end, so the host never blocks on a full pipe
            text = line.decode(errors="replace")
            if " taken over by " in text:
                job_id = text.split(" taken over by ")[0].rsplit(" job ", 1)[-1].strip()
                self.taken_over.setdefault(job_id, time.time())


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
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        watch = TakeOverWatch(host)
        wait_listening(port, host)
        base = f"http://127.0.0.1:{port}/api"
        prefer = {"Prefer": "respond-async"}
        with httpx.Client(timeout=60) as client:
            posted = time.time()
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
        job_id, completed = notify.json()["jobId"], _seconds(run_row["completedAt"])
        taken_over = watch.taken_over.get(job_id)
        result = run_row["result"]
        print(f"  the run: {result['notifiedCount']} sent, {result['failedCount']} failed")
        if taken_over is None:
            print("  (its take-over line was not in the host's log: no execution wall)")
        else:
            wall = completed - taken_over
            print(f"    executed in {wall:.2f} s from its take-over to its completion, wall/D {wall / delay:.2f} "
                  f"(goal <= 1.15): {verdict(wall / delay <= 1.15)}")
            print(f"    its message waited {taken_over - posted:.2f} s from the POST to be picked up "
                  f"(the queue trigger polls at most every 2 s, host.json maxPollingInterval)")
        print(f"    from the POST to its completion: {completed - posted:.2f} s, {(completed - posted) / delay:.2f} D")
    finally:
        for process in (host, azurite):
            if process is not None:
                stop(process)
