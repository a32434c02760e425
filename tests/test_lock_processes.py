"""The lock across "servers": OS processes share one SQLite file, as Function instances share
one Azure SQL database. No two hold intervals of one Job_Type may overlap."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

from shared.settings import Settings

PROCESSES = 6
ATTEMPTS = 60
JOB_TYPES = ["RevokeExpiredDatabricks", "RevokeExpiredPalantir"]
REPO = Path(__file__).resolve().parent.parent


def test_processes_racing_for_the_lock_never_overlap_on_one_job_type(
    settings: Settings, tmp_path: Path
) -> None:
    # Given several processes hammering acquire/complete on one database file
    outputs = [tmp_path / f"holds-{n}.jsonl" for n in range(PROCESSES)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.support.lock_worker", settings.sqlite_path, str(out),
             str(ATTEMPTS), *JOB_TYPES],
            cwd=REPO,
        )
        for out in outputs
    ]
    assert all(worker.wait(timeout=240) == 0 for worker in workers)

    # When their recorded hold intervals are put side by side per job type
    holds = [json.loads(line) for out in outputs for line in out.read_text().splitlines()]
    overlaps = 0
    for job_type in JOB_TYPES:
        intervals = sorted((h["start"], h["end"]) for h in holds if h["jobType"] == job_type)
        overlaps += sum(1 for (_, end), (start, _) in pairwise(intervals) if start < end)
    holders = {h["by"] for h in holds}
    print(f"\nlock across processes: {PROCESSES} processes x {ATTEMPTS} attempts, "
          f"{len(holds)} acquisitions by {len(holders)} processes, {overlaps} overlaps")

    # Then the lock was really contended and really exclusive
    assert len(holders) > 1 and len(holds) >= len(JOB_TYPES)
    assert {h["jobType"] for h in holds} == set(JOB_TYPES)
    assert overlaps == 0
