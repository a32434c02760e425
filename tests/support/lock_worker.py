"""One "server" hammering the JobRun lock: `python -m tests.support.lock_worker DB OUT ATTEMPTS TYPES..`.

For each attempt it picks a job type, tries to acquire; when it holds the lock it records the
interval during which it held it (CLOCK_MONOTONIC is one clock for every process on the machine),
then completes the run. One JSON line per hold goes to OUT.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time

from shared.db import connect
from shared.joblock import complete_job, new_job_id, try_acquire_lock
from shared.settings import load_settings


def main() -> None:
    db_path, out_path, attempts, *job_types = sys.argv[1:]
    settings = load_settings(DB_BACKEND="sqlite", SQLITE_PATH=db_path)
    name = f"worker-{os.getpid()}"
    rng = random.Random(os.getpid())
    holds = []
    with connect(settings) as conn:
        for _ in range(int(attempts)):
            job_type = rng.choice(job_types)
            job_id = new_job_id()
            if try_acquire_lock(conn, job_id, job_type, name, timeout_seconds=600):
                start = time.monotonic_ns()
                time.sleep(rng.uniform(0.0, 0.004))  # hold it a little while others try
                end = time.monotonic_ns()
                assert complete_job(conn, job_id, processed=1, failed=0)
                holds.append({"jobType": job_type, "start": start, "end": end, "by": name})
            else:
                time.sleep(rng.uniform(0.0, 0.002))
    with open(out_path, "w", encoding="utf-8") as out:
        out.writelines(json.dumps(hold) + "\n" for hold in holds)


if __name__ == "__main__":
    main()
