"""The All Requests list at scale (DESIGN section 6, R2): one `python -m devhost`, a SQLite file of
N Databricks requests (default 1,000,000), pages of 100 through the real HTTP stack.

Goal: p50 < 50 ms per page. Each case is requested REPEAT times one after another (latency, not
throughput); the first few are not timed (the OS cache warms). For reference, the floor: the same
for an endpoint that reads one empty table (GET /api/databricks/jobs). Then, in-process, the same
statements without HTTP, to show where a page's time goes: the page itself or X-Total-Count.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import httpx

from bench.body import free_port, stop, wait_listening
from bench.data import Spread, databricks, insert_requests, migrated, verdict
from shared.db import connect
from shared.http.models import RequestListQuery
from shared.http.requests_api import decode_cursor, list_filter
from shared.repositories import access_requests as repo
from shared.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
GOAL_P50_MS = 50.0
WARM_UP = 3
PAGE = 100
# A third revoked, the rest Active with expiry from 400 days ago to 700 days ahead (about a third of
# those already past it: Expired, awaiting revoke); created over the last two years.
SPREAD = Spread(status="CASE WHEN u1 < 0.33 THEN 'Revoked' ELSE 'Active' END",
                expires_jd="now - 400 + u2 * 1100", created_jd="now - u3 * 730")


def _percentile(sorted_ms: list[float], fraction: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(fraction * (len(sorted_ms) - 1)))]


def _timed_gets(
    client: httpx.Client, url: str, params: dict[str, str], repeat: int
) -> tuple[list[float], httpx.Response]:
    """`repeat` GETs after the warm-up ones: their milliseconds, sorted, and the last answer."""
    timings: list[float] = []
    for attempt in range(WARM_UP + repeat):
        started = time.perf_counter()
        reply = client.get(url, params=params)
        elapsed = (time.perf_counter() - started) * 1000
        assert reply.status_code == 200, reply.text
        if attempt >= WARM_UP:
            timings.append(elapsed)
    return sorted(timings), reply


def _cases(client: httpx.Client, base: str) -> dict[str, dict[str, str]]:
    """Each case's query; the deep keyset page is found by walking 50 pages down first."""
    url = f"{base}/databricks/access-requests"
    params = {"limit": str(PAGE)}
    for _ in range(50):
        reply = client.get(url, params=params)
        params = {"limit": str(PAGE), "cursor": reply.headers["x-next-cursor"]}
    return {
        "default first page": {"limit": str(PAGE)},
        "keyset page 51 (cursor)": params,
        "q search (user12345)": {"limit": str(PAGE), "q": "user12345"},
        "status=Expired": {"limit": str(PAGE), "status": "Expired"},
        "sort=expires": {"limit": str(PAGE), "sort": "expires"},
        "expiresWithinDays=30": {"limit": str(PAGE), "expiresWithinDays": "30"},
    }


def _median_ms(samples: list[float]) -> float:
    return sorted(samples)[len(samples) // 2] * 1000


def _profile(settings: Settings, cases: dict[str, dict[str, str]], repeat: int) -> None:
    """The page statement and the count, each timed in-process on a fresh connection (as each API call
    opens one) and on one kept open: what HTTP, JSON and the connection's start add is the rest."""
    print("  where the time goes, in-process (median; fresh connection each time / one kept open):")
    platform = databricks(settings)
    with connect(settings) as kept:
        for name, params in cases.items():
            query = RequestListQuery.model_validate(params)
            after = None if query.cursor is None else decode_cursor(query, query.cursor)
            matching = list_filter(platform, query, repo.database_now(kept))
            timings: dict[str, list[float]] = {"page fresh": [], "count fresh": [], "page kept": [], "count kept": []}
            for _ in range(repeat):
                for how in ("fresh", "kept"):
                    with nullcontext(kept) if how == "kept" else connect(settings) as conn:
                        started = time.perf_counter()
                        repo.list_page(conn, platform, matching, sort=query.sort, after=after, limit=query.limit)
                        paged = time.perf_counter()
                        repo.count_matching(conn, platform, matching)
                        timings[f"page {how}"].append(paged - started)
                        timings[f"count {how}"].append(time.perf_counter() - paged)
            page_ms, count_ms = (" / ".join(f"{_median_ms(timings[f'{what} {how}']):7.1f}" for how in ("fresh", "kept"))
                              for what in ("page", "count"))
            print(f"    {name:<26} page {page_ms} ms   count {count_ms} ms")


def run(directory: Path, *, rows: int, repeat: int) -> None:
    db = directory / "list.db"
    settings = migrated(db)
    seconds = insert_requests(settings, rows, SPREAD)
    print(f"list: {rows:,} Databricks requests inserted in {seconds:.1f} s; pages of {PAGE} over HTTP, "
          f"{repeat} requests per case")
    port = free_port()
    env = {**os.environ, "DB_BACKEND": "sqlite", "SQLITE_PATH": str(db), "AUTH_MODE": "none",
           "DEVHOST_DISABLE_TIMERS": "1", "DEVHOST_DISABLE_QUEUES": "1", "PYTHONPATH": str(REPO_ROOT),
           "AzureWebJobsStorage": "UseDevelopmentStorage=true", "DEVHOST_STATIC_DIR": str(directory / "no-front-end")}
    host = subprocess.Popen([sys.executable, "-m", "devhost", "--port", str(port)], env=env, cwd=directory,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, host)
        base = f"http://127.0.0.1:{port}/api"
        with httpx.Client(timeout=120) as client:
            floor, _ = _timed_gets(client, f"{base}/databricks/jobs", {"limit": "1"}, repeat)
            floor_p50 = _percentile(floor, 0.5)
            print(f"  {'floor: GET .../jobs':<26} {'':24}  p50 {floor_p50:7.1f} ms, "
                  f"p99 {_percentile(floor, 0.99):7.1f} ms")
            cases = _cases(client, base)
            for name, params in cases.items():
                timings, reply = _timed_gets(client, f"{base}/databricks/access-requests", params, repeat)
                p50 = _percentile(timings, 0.5)
                print(f"  {name:<26} {len(reply.json()):3d} items of {int(reply.headers['x-total-count']):>9,}: "
                      f"p50 {p50:7.1f} ms ({p50 - floor_p50:+7.1f} over the floor), "
                      f"p99 {_percentile(timings, 0.99):7.1f} ms, "
                      f"p50/goal {p50 / GOAL_P50_MS:5.2f}: {verdict(p50 < GOAL_P50_MS)}")
    finally:
        stop(host)
    _profile(settings, cases, repeat)
