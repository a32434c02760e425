"""Demo data: a spread that exercises every decision the jobs make, on both platforms."""

from __future__ import annotations

from shared.db import Connection
from shared.demo_data import load_demo_data
from shared.platforms import all_platforms
from shared.repositories.access_requests import (
    count_requests,
    list_requests,
    notification_candidates,
    pending_expiry,
)
from shared.settings import Settings


def test_demo_data_loads_a_realistic_spread_on_both_platforms(conn: Connection, settings: Settings) -> None:
    report = load_demo_data(conn, settings)

    for platform in all_platforms(settings):
        items = list_requests(conn, platform, offset=0, limit=500)
        assert count_requests(conn, platform) == len(items) == 12, report
        assert len([r for r in items if r.status == "Revoked" and r.revoked_by]) == 2
        assert len([r for r in items if r.expires_on is None]) == 2
        assert len(pending_expiry(conn, platform)) == 2
        emails = {r.key: r.email for r in items}
        candidates = {emails[c.key]: (c.days_left, c.notification_count)
                      for c in notification_candidates(conn, platform)}
        assert candidates["chen.wei@contoso.com"] == (1, 1)
        assert candidates["elif.yilmaz@contoso.com"][1] == 2
        assert "hugo.martin@contoso.com" not in candidates  # 45 days out
        assert all(0 <= days <= 30 for days, _ in candidates.values())


def test_demo_data_leaves_a_platform_with_data_alone(conn: Connection, settings: Settings) -> None:
    load_demo_data(conn, settings)

    report = load_demo_data(conn, settings)

    assert "skipped" in report
    assert all(count_requests(conn, p) == 12 for p in all_platforms(settings))
