"""The benchmarks' own helpers, on small data: the generated spreads are what the figures claim,
and each pair of compared approaches does the same thing. (The benchmarks themselves are not tests.)"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from bench import candidates, notify, revoke
from bench.data import NEVER, bench_settings, copy_database, databricks, insert_requests, migrated
from shared.db import SQLITE, connect
from shared.jobs.notifications import pending_reminders
from shared.repositories.access_requests import notification_candidates


def test_the_literal_candidate_statement_differs_from_the_project_one_only_in_its_where_clause(
    tmp_path: Path,
) -> None:
    platform = databricks(bench_settings(tmp_path / "x.db"))
    project, literal = SQLITE.sql(candidates.STATEMENT, platform), candidates.literal_sql(platform)

    assert project.split("\n WHERE ")[0] == literal.split("\n WHERE ")[0]
    assert project.split("\n ORDER BY ")[1] == literal.split("\n ORDER BY ")[1]
    assert "BETWEEN 0 AND 30" in literal and "date('now', '+31 days')" not in literal


def test_both_candidate_predicates_find_the_same_rows_on_generated_data(tmp_path: Path) -> None:
    settings = migrated(tmp_path / "c.db")
    platform = databricks(settings)
    insert_requests(settings, 20_000, candidates.SPREAD)

    with connect(settings) as conn:
        project = notification_candidates(conn, platform)
        literal = notification_candidates(candidates.literal_connection(conn, platform), platform)
        bare = [
            conn.raw.execute(sql, (platform.active_status,)).fetchall()
            for sql in (SQLITE.sql(candidates.STATEMENT, platform), candidates.literal_sql(platform))
        ]
        never = conn.raw.execute("SELECT COUNT(*) FROM DataAccessDeltaRequests WHERE Expires_On = ?",
                                 (NEVER,)).fetchone()[0]

    assert 150 < len(project) < 400  # ~1.6% of the rows: 80% Active x 31 of 1826 days x 95% expiring
    assert [(r.key, r.days_left) for r in project] == [(r.key, r.days_left) for r in literal]
    assert bare[0] == bare[1] == [(r.key, r.days_left, r.notification_count) for r in project]
    assert 800 < never < 1200


def test_the_revoke_spread_has_exactly_the_expired_count_and_both_approaches_revoke_the_same(
    tmp_path: Path,
) -> None:
    base = tmp_path / "base.db"
    insert_requests(migrated(base), 20_000, revoke.spread(20_000, 2_000))
    revoked: dict[str, list[tuple[object, ...]]] = {}
    for approach, runner in (("project", revoke.project_revoke), ("literal", revoke.literal_revoke),
                             ("literal-tx", partial(revoke.literal_revoke, one_transaction=True))):
        work = tmp_path / f"{approach}.db"
        copy_database(base, work)
        settings = bench_settings(work)
        platform = databricks(settings)

        assert runner(settings, platform, {}) == 2_000

        with connect(settings) as conn:
            revoked[approach] = conn.raw.execute(
                "SELECT r.DeltaRequestId, r.Revoked_By, u.Status FROM RevokedAccess_Databricks r"
                " JOIN DataAccessDeltaRequests u ON u.id = r.DeltaRequestId ORDER BY 1"
            ).fetchall()
    assert revoked["project"] == revoked["literal"] == revoked["literal-tx"]
    assert {row[2] for row in revoked["project"]} == {"Revoked"}


def test_every_generated_notify_request_is_due_a_reminder(tmp_path: Path) -> None:
    settings = notify.prepare(tmp_path, 300, 0.01, "n.db")
    with connect(settings) as conn:
        due = pending_reminders(conn, databricks(settings))
    assert len(due) == 300 and {d.reminder_type for d in due} == {"30-Day Reminder"}
    assert settings.notify_max_parallel == 300
