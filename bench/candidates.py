"""candidates: the project's range predicate vs the SPEC's DATEDIFF form, on 1,000,000 requests.

Both run the same statement text except for the WHERE clause: the project's
"requests.notification_candidates" (a range on Expires_On, so the (Status, Expires_On) index can
seek), and the SPEC's literal `DATEDIFF(DAY, GETUTCDATE(), Expires_On) BETWEEN 0 AND 30`
translated to SQLite, which must compute the difference for every Active row. The goal is judged
on the query itself (execute + fetchall); the same query through the project's
`notification_candidates()`, which adds the same Python row mapping to both, is shown beside it.
Medians over a few repetitions after a warm-up.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.data import NEVER, Spread, databricks, insert_requests, migrated, verdict
from shared.db import SQLITE, Connection, connect
from shared.platforms import Platform
from shared.repositories.access_requests import notification_candidates

GOAL = 10.0
STATEMENT = "requests.notification_candidates"

# 80% Active; expiry uniform over -2 years .. +3 years from now; 5% never expire.
SPREAD = Spread(
    status="CASE WHEN u3 < 0.80 THEN 'Active' ELSE 'Revoked' END",
    expires_jd="CASE WHEN u2 < 0.05 THEN NULL ELSE now - 730 + u1 * 1826 END",
)


def literal_sql(platform: Platform) -> str:
    """The project's statement with its WHERE clause replaced by the SPEC's DATEDIFF form."""
    project = SQLITE.sql(STATEMENT, platform)
    head, where_and_order = project.split("\n WHERE ", 1)
    _, order = where_and_order.split("\n ORDER BY ", 1)
    status, expires = SQLITE.quote(platform.status_column), SQLITE.quote(platform.expiry_column)
    return (
        f"{head}\n WHERE u.{status} = ?"
        f"\n   AND CAST(julianday(date(u.{expires})) - julianday(date('now')) AS INTEGER) BETWEEN 0 AND 30"
        f"\n   AND u.{expires} < '{NEVER[:10]}'"
        f"\n ORDER BY {order}"
    )


def literal_connection(conn: Connection, platform: Platform) -> Connection:
    """The same raw connection, with a dialect whose candidate statement is the literal one, so
    the literal query goes through the very same `notification_candidates()`."""
    statements = {**SQLITE.statements, STATEMENT: literal_sql(platform)}
    dialect = dataclasses.replace(SQLITE, statements=statements)
    return Connection(conn.raw, dialect)


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    action()  # warm-up: the page cache, the statement cache
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def query_plan(conn: Connection, sql: str, status: str) -> list[str]:
    rows = conn.raw.execute(f"EXPLAIN QUERY PLAN {sql}", (status,)).fetchall()
    depth: dict[int, int] = {0: 0}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * depth[node] + str(detail))
    return lines


def run(directory: Path, *, rows: int, repeat: int) -> None:
    settings = migrated(directory / "candidates.db")
    platform = databricks(settings)
    fill_seconds = insert_requests(settings, rows, SPREAD)
    print(f"candidates: {rows:,} requests on {platform.requests_table} generated in {fill_seconds:.1f}s "
          "(80% Active, expiry uniform -2y..+3y, 5% never expires; index (Status, Expires_On))")

    with connect(settings) as conn:
        literal = literal_connection(conn, platform)
        project_sql, literal_text = SQLITE.sql(STATEMENT, platform), literal_sql(platform)
        status = platform.active_status
        counts = conn.raw.execute(
            "SELECT SUM(Status = ?), SUM(Status = ? AND Expires_On = ?) FROM DataAccessDeltaRequests",
            (status, status, NEVER),
        ).fetchone()
        print(f"  data: {counts[0]:,} Active, {counts[1]:,} of them never expire")
        examined = conn.raw.execute(
            "SELECT COUNT(*) FROM DataAccessDeltaRequests WHERE Status = ? AND Expires_On < ?", (status, NEVER[:10])
        ).fetchone()[0]

        project_rows = notification_candidates(conn, platform)
        literal_rows = notification_candidates(literal, platform)
        print(f"  same rows: {'yes' if project_rows == literal_rows else 'NO'} "
              f"(project {len(project_rows):,}, DATEDIFF-style {len(literal_rows):,}; "
              "compared key, days left and reminder count, in order)")
        print(f"  index entries each predicate must examine: project {len(project_rows):,} (the 31-day range), "
              f"DATEDIFF-style {examined:,} (every Active entry below the never-expires marker)")

        def bare(sql: str) -> Callable[[], object]:
            return lambda: conn.raw.execute(sql, (status,)).fetchall()

        timings = {
            "the query (execute + fetchall)": (
                median_seconds(bare(project_sql), repeat),
                median_seconds(bare(literal_text), repeat),
            ),
            "via notification_candidates()": (
                median_seconds(lambda: notification_candidates(conn, platform), repeat),
                median_seconds(lambda: notification_candidates(literal, platform), repeat),
            ),
        }
        for label, (project_s, literal_s) in timings.items():
            ratio = literal_s / project_s
            judged = f"(goal >= {GOAL:.0f}x) {verdict(ratio >= GOAL)}" if label.startswith("the query") else \
                "(plus the same row mapping on both sides, for insight)"
            print(f"  {label}: project {project_s * 1000:.1f} ms, DATEDIFF-style {literal_s * 1000:.1f} ms "
                  f"(median of {repeat}) ratio={ratio:.1f}x {judged}")

        for label, sql in (("project", project_sql), ("DATEDIFF-style", literal_text)):
            print(f"  EXPLAIN QUERY PLAN, {label}:")
            for line in query_plan(conn, sql, status):
                print(f"  {line}")
        where = literal_text.split("\n WHERE ", 1)[1].split("\n ORDER BY", 1)[0]
        print("  DATEDIFF-style predicate: WHERE " + " ".join(where.split()))
