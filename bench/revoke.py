"""revoke: the project's set-based revoke vs the SPEC-literal one, on 1,000,000 requests.

The project: `revoke_now` (one transaction, one cutoff from the database clock, INSERT ... SELECT
into RevokedAccess_Databricks, then one UPDATE; counts must match). The SPEC-literal approach:
select the expired ids into the application, one UPDATE setting Status, then one INSERT per revoked
id with GETUTCDATE() (SQLite: the 'now' clock). The goal is judged against it as the SPEC writes it,
with no transaction, so each statement commits on its own (as ADO.NET commands do without a
SqlTransaction). It is also run inside one transaction, which leaves only the set-based vs per-row
difference: on SQLite, in-process, that is small, and the bench prints the ceiling it allows.

The data is built once per size and byte-copied for every run, so each run starts from identical
data. Each run happens in a fresh process: its ru_maxrss is its own, and tracemalloc (which slows
Python code down) is switched on only in separate memory runs, never in the timed ones.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from pathlib import Path

from bench.data import NEVER, Spread, bench_settings, copy_database, databricks, insert_requests, migrated, verdict
from shared.db import connect
from shared.joblock import new_job_id
from shared.jobs.revoke import revoke_now
from shared.platforms import Platform
from shared.repositories.access_requests import REVOKED_BY_SCHEDULED_JOB, database_now
from shared.settings import Settings

GOAL = 3.0
GOAL_SIZE = (100_000, 1_000_000)  # the goal is set for this many expired among this many requests
INSERTS = "INSERT per id"
APPROACHES = ("project", "literal", "literal in one transaction")
LABELS = {
    "project": "project (INSERT ... SELECT + UPDATE)",
    "literal": "SPEC-literal (SELECT ids, UPDATE, INSERT per id; each statement commits)",
    "literal in one transaction": "SPEC-literal in one transaction",
}


def spread(total: int, expired: int) -> Spread:
    """Every (total // expired)-th row is Active and expired (spread over the whole table); of the
    others ~25% are already Revoked (expired), ~5% never expire, the rest expire 1 day..3 years ahead."""
    step = total // expired
    return Spread(
        status=f"CASE WHEN i % {step} = 0 THEN 'Active' WHEN u3 < 0.25 THEN 'Revoked' ELSE 'Active' END",
        expires_jd=f"""CASE WHEN i % {step} = 0 OR u3 < 0.25 THEN now - 730 + u1 * 729
                          WHEN u2 < 0.05 THEN NULL
                          ELSE now + 1 + u1 * 1095 END""",
    )


def project_revoke(settings: Settings, platform: Platform, phases: dict[str, float]) -> int:
    # Outside a job run: no lock row to fence (two one-row UPDATEs in a job, the same for any approach);
    # the outcome records are written as in a run.
    count, _ = revoke_now(settings, platform, new_job_id(), fence=lambda conn: None)
    return count


def literal_revoke(
    settings: Settings, platform: Platform, phases: dict[str, float], *, one_transaction: bool = False
) -> int:
    """SPEC Flow 2 steps 3 and 5 as written: ids into the app, one UPDATE, one INSERT per id, each
    statement committing on its own unless `one_transaction`. Records each phase's seconds in `phases`."""
    table, revoked = platform.requests_table, platform.revoked_table
    insert = (f"INSERT INTO {revoked} ({platform.revoked_fk}, Revoked_Dt, Revoked_By) "
              "VALUES (?, strftime('%Y-%m-%d %H:%M:%f', 'now'), ?)")
    with connect(settings) as conn:
        mark = time.perf_counter()
        with conn.transaction() if one_transaction else nullcontext(conn):
            cutoff = conn.dialect.datetime_param(database_now(conn))
            raw = conn.raw
            ids = [row[0] for row in raw.execute(
                f"SELECT id FROM {table} WHERE Status = ? AND Expires_On <= ?", (platform.active_status, cutoff)
            ).fetchall()]
            mark = _phase(phases, "select ids", mark)
            if not ids:
                return 0
            raw.execute(f"UPDATE {table} SET Status = ? WHERE Status = ? AND Expires_On <= ?",
                        (platform.revoked_status, platform.active_status, cutoff))
            mark = _phase(phases, "UPDATE", mark)
            for request_id in ids:
                raw.execute(insert, (request_id, REVOKED_BY_SCHEDULED_JOB))
            mark = _phase(phases, INSERTS, mark)
        if one_transaction:
            _phase(phases, "commit", mark)
        return len(ids)


def _phase(phases: dict[str, float], name: str, since: float) -> float:
    now = time.perf_counter()
    phases[name] = now - since
    return now


_RUNNERS: dict[str, Callable[[Settings, Platform, dict[str, float]], int]] = {
    "project": project_revoke,
    "literal": literal_revoke,
    "literal in one transaction": partial(literal_revoke, one_transaction=True),
}


@dataclass(frozen=True)
class Measurement:
    seconds: float
    revoked: int
    phases: dict[str, float]  # the literal approach's phases (the project's is timed as a whole)
    tracemalloc_peak: int | None  # bytes of Python allocations; only in a traced run
    rss_peak_delta: int | None  # bytes of resident memory over the RSS at the start (SQLite's too)
    verified: bool  # revocation rows = revoked = status changes, and nothing expired left Active


def _proc_kib(field: str) -> int | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def _reset_peak_rss() -> bool:
    """Linux: writing 5 to clear_refs resets VmHWM, so the run's own peak can be read. (ru_maxrss
    cannot be reset, and the imports' peak already exceeds what a revoke adds.)"""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def measure(base: str, work: str, approach: str, traced: bool) -> Measurement:
    """Runs in a fresh process: copy the base data, revoke once, check the result."""
    copy_database(Path(base), Path(work))
    settings = bench_settings(Path(work))
    platform = databricks(settings)
    runner = _RUNNERS[approach]
    phases: dict[str, float] = {}
    rss_start = _proc_kib("VmRSS") if _reset_peak_rss() else None
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    revoked = runner(settings, platform, phases)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else None
    tracemalloc.stop()
    rss_peak = _proc_kib("VmHWM")
    rss_delta = (rss_peak - rss_start) * 1024 if rss_start is not None and rss_peak is not None else None
    with connect(settings) as conn:
        rows = conn.raw.execute(f"SELECT COUNT(*) FROM {platform.revoked_table}").fetchone()[0]
        left = conn.raw.execute(
            f"SELECT COUNT(*) FROM {platform.requests_table} WHERE Status = ? AND Expires_On <= ?",
            (platform.active_status, conn.dialect.datetime_param(database_now(conn))),
        ).fetchone()[0]
    Path(work).unlink()
    return Measurement(seconds, revoked, phases, peak, rss_delta, rows == revoked and left == 0)


def in_fresh_process(base: Path, work: Path, approach: str, traced: bool) -> Measurement:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(measure, str(base), str(work), approach, traced).result()


def kib(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 1024:,.1f} KiB"


def build(directory: Path, total: int, expired: int) -> Path:
    path = directory / f"revoke-base-{expired}.db"
    settings = migrated(path)
    seconds = insert_requests(settings, total, spread(total, expired))
    with connect(settings) as conn:
        platform = databricks(settings)
        due = conn.raw.execute(
            f"SELECT COUNT(*) FROM {platform.requests_table} WHERE Status = ? AND Expires_On <= ?",
            (platform.active_status, conn.dialect.datetime_param(database_now(conn))),
        ).fetchone()[0]
        never = conn.raw.execute(
            f"SELECT COUNT(*) FROM {platform.requests_table} WHERE Expires_On = ?", (NEVER,)
        ).fetchone()[0]
    print(f"revoke: {total:,} requests, {due:,} expired Active, {never:,} never expire "
          f"(built in {seconds:.1f}s, copied for each run; each run in a fresh process)")
    return path


def run_size(directory: Path, base: Path, repeat: int, *, judged: bool) -> dict[str, tuple[float, Measurement]]:
    """Per approach: the median time of `repeat` untraced runs, and one traced run."""
    results: dict[str, tuple[float, Measurement]] = {}
    median_phases: dict[str, dict[str, float]] = {}
    for approach in APPROACHES:
        work = directory / f"revoke-{approach.replace(' ', '-')}.db"
        timed = [in_fresh_process(base, work, approach, traced=False) for _ in range(repeat)]
        traced = in_fresh_process(base, work, approach, traced=True)
        middle = sorted(timed, key=lambda m: m.seconds)[len(timed) // 2]
        seconds = statistics.median(m.seconds for m in timed)
        rss = [m.rss_peak_delta for m in timed if m.rss_peak_delta is not None]
        ok = all(m.verified for m in [*timed, traced])
        print(f"  {LABELS[approach]}: {seconds:.3f}s (median of {repeat}), revoked {traced.revoked:,}, "
              f"tracemalloc peak {kib(traced.tracemalloc_peak)}, peak RSS +{kib(max(rss) if rss else None)}, "
              f"{'verified' if ok else 'WRONG RESULT'}")
        if middle.phases:
            median_phases[approach] = middle.phases
            per_row = middle.phases.get(INSERTS, 0.0) / max(middle.revoked, 1) * 1e6
            print("    phases of the median run: " + ", ".join(
                f"{name} {value:.3f}s" for name, value in middle.phases.items())
                + f" ({middle.revoked:,} INSERTs, {per_row:.1f} us each, in-process: no network round trip)")
        results[approach] = (seconds, traced)
    project = results["project"][0]
    ratio = results["literal"][0] / project
    goal = f"(goal >= {GOAL:.0f}x) {verdict(ratio >= GOAL)}" if judged else \
        f"(the goal is set at {GOAL_SIZE[0]:,} of {GOAL_SIZE[1]:,})"
    print(f"  time ratio SPEC-literal/project = {ratio:.1f}x {goal}")
    one_transaction = "literal in one transaction"
    phases = median_phases.get(one_transaction, {})
    shared = phases.get("UPDATE", 0.0) + phases.get("commit", 0.0)
    if shared:
        total = sum(phases.values())
        print(f"  with one transaction the literal is {results[one_transaction][0] / project:.1f}x the project's "
              f"time; the status UPDATE and commit that any revoke must run are {shared:.3f}s of its {total:.3f}s, "
              f"so on SQLite no revoke can be more than {total / shared:.1f}x faster than it")
    return results


def run(directory: Path, *, rows: int, expired_sizes: tuple[int, ...], repeat: int) -> None:
    peaks: dict[str, list[tuple[int, int]]] = {approach: [] for approach in APPROACHES}
    for expired in expired_sizes:
        base = build(directory, rows, expired)
        judged = (expired, rows) == GOAL_SIZE
        for approach, (_, traced) in run_size(directory, base, repeat, judged=judged).items():
            peaks[approach].append((traced.revoked, traced.tracemalloc_peak or 0))
        base.unlink()
    if len(expired_sizes) < 2:
        return
    print("  memory vs rows revoked (tracemalloc peak):")
    for approach, points in peaks.items():
        (small_n, small), (large_n, large) = points[0], points[-1]
        growth = large / small if small else float("inf")
        if approach == "project":
            flat = large <= max(1.5 * small, small + 64 * 1024)
            remark = f"(goal: roughly equal) {verdict(flat)}"
        else:
            remark = "(grows with the ids it holds)" if growth > 2 else "(does not grow)"
        listed = ", ".join(f"{n:,} -> {kib(peak)}" for n, peak in points)
        print(f"    {LABELS[approach]}: {listed}; x{growth:.1f} for x{large_n / small_n:.0f} rows {remark}")
