"""Fast data generation shared by the benchmarks: fresh migrated SQLite files and bulk requests.

Rows are generated inside SQLite (INSERT ... SELECT from a recursive CTE, one transaction), so a
million requests take seconds. The spread is deterministic: row i draws its "random" numbers from
Weyl sequences frac(i * c) with irrational c, which are equidistributed and jointly independent
enough for a benchmark, and give the same data on every run.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from shared.db import connect
from shared.migrate import apply_migrations, migrations_for
from shared.platforms import Platform, get_platform
from shared.settings import Settings, load_settings

NEVER = "9999-12-31 00:00:00.000"  # the SPEC's never-expires marker, as the project stores it

# frac(i * c) for three irrational c: three independent-looking uniforms in [0, 1) per row.
_U1 = "(i * 0.6180339887498949 - CAST(i * 0.6180339887498949 AS INTEGER))"
_U2 = "(i * 0.4142135623730951 - CAST(i * 0.4142135623730951 AS INTEGER))"
_U3 = "(i * 0.7320508075688772 - CAST(i * 0.7320508075688772 AS INTEGER))"


def bench_settings(path: Path, **overrides: object) -> Settings:
    """Settings for a benchmark database file (the same names the tests use)."""
    values: dict[str, object] = {
        "DB_BACKEND": "sqlite",
        "SQLITE_PATH": str(path),
        "AUTH_MODE": "none",
        "EMAIL_SIMULATED_DELAY_SECONDS": 0,
    }
    values.update(overrides)
    return load_settings(**values)


def databricks(settings: Settings) -> Platform:
    platform = get_platform(settings, "databricks")
    assert platform is not None
    return platform


def migrated(path: Path, **overrides: object) -> Settings:
    """A fresh SQLite file at `path`, migrated with the project's own migrations."""
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    settings = bench_settings(path, **overrides)
    with connect(settings, migrator=True) as conn:
        apply_migrations(conn, migrations_for("sqlite"))
    return settings


@dataclass(frozen=True)
class Spread:
    """How generated rows look, as SQL expressions of the row number `i` (1..count).

    `u1`, `u2`, `u3` in the expressions are replaced by three uniforms in [0, 1); `now` is the
    Julian day of the database clock at generation time.
    """

    status: str
    expires_jd: str  # a Julian day number, or NULL for never expires
    created_jd: str = "now"  # a Julian day number


def _expand(expression: str) -> str:
    return expression.replace("u1", _U1).replace("u2", _U2).replace("u3", _U3)


def insert_requests(settings: Settings, count: int, spread: Spread) -> float:
    """Insert `count` Databricks requests in one transaction; returns the seconds it took."""
    platform = databricks(settings)
    assert platform.requests_table == "DataAccessDeltaRequests"
    # The creation time only where the platform maps one (DATABRICKS_CREATED_COLUMN).
    created = platform.created_column
    created_column = f", {created}" if created else ""
    created_value = f",\n       strftime('%Y-%m-%d %H:%M:%f', {_expand(spread.created_jd)})" if created else ""
    sql = f"""
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?),
clock(now) AS (SELECT julianday('now'))
INSERT INTO DataAccessDeltaRequests
       (request_number, request_type, requested_by_ad_id, requested_by_email, requested_by,
        Status, Expires_On{created_column})
SELECT 'DBX-' || printf('%07d', i), 'Read', 'ad-' || i, 'user' || i || '@example.com', 'User ' || i,
       {_expand(spread.status)},
       COALESCE(strftime('%Y-%m-%d %H:%M:%f', {_expand(spread.expires_jd)}), '{NEVER}'){created_value}
  FROM seq, clock"""
    started = time.perf_counter()
    with connect(settings) as conn:
        conn.raw.execute("PRAGMA cache_size=-262144")  # 256 MiB: keep the index in cache while filling
        with conn.transaction():
            conn.raw.execute(sql, (count,))
        conn.raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - started


def copy_database(source: Path, target: Path) -> None:
    """A byte copy of a checkpointed, closed database file (no -wal/-shm to carry over)."""
    for stale in (target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(source, target)


@contextmanager
def timed() -> Iterator[list[float]]:
    """`with timed() as t: ...` then t[0] is the elapsed seconds."""
    box: list[float] = []
    started = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - started)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISSED"
