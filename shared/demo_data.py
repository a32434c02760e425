"""Demo requests for both platforms: a realistic spread across everything the jobs decide on."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.db.connection import Connection
from shared.platforms import Platform, all_platforms
from shared.repositories.access_requests import (
    count_requests,
    create_request,
    database_now,
    record_notification,
    revoke_expired,
)
from shared.settings import Settings

# (name, days until expiry or None for never, reminders already sent)
_PEOPLE: list[tuple[str, float | None, tuple[str, ...]]] = [
    ("Amelia Clarke", -2, ()),  # expired, still active: pending revocation
    ("Bruno Silva", -0.25, ()),  # expired this morning
    ("Chen Wei", 1, ("30-Day Reminder",)),  # due a 7-day reminder
    ("Dana Okafor", 5, ()),  # never reminded: gets the 30-day one first
    ("Elif Yilmaz", 5, ("30-Day Reminder", "7-Day Reminder")),  # both sent: nothing more
    ("Farid Haddad", 29, ()),  # due a 30-day reminder
    ("Grace Kim", 29, ("30-Day Reminder",)),  # reminded, not yet in the 7-day window
    ("Hugo Martin", 45, ()),  # too far out
    ("Ines Duarte", None, ()),  # never expires
    ("Jonas Berg", None, ()),  # never expires
]
_ALREADY_REVOKED = ["Kofi Mensah", "Lena Fischer"]


def _email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@contoso.com"


def _request_type(platform: Platform, index: int) -> str:
    # The types the Create form offers (DATABRICKS_/PALANTIR_REQUEST_TYPES), in turn.
    return platform.request_types[index % len(platform.request_types)]


def _fields(platform: Platform, index: int, name: str) -> dict[str, object]:
    if platform.name == "databricks":
        return {
            "requestNumber": f"DBX-{1000 + index}",
            "requestType": _request_type(platform, index),
            "requestedByAdId": f"ad-{index:04d}",
            "requestedBy": name,
        }
    return {
        "projectId": f"PRJ-{200 + index}",
        "projectRid": f"ri.compass.main.project.{index:04x}",
        "requestType": _request_type(platform, index),
        "justification": f"Quarterly analysis for {name.split()[0]}'s team",
    }


def load_demo_data(conn: Connection, settings: Settings) -> str:
    """Fill each empty platform; a platform that already has requests is left alone."""
    report = []
    for platform in all_platforms(settings):
        if count_requests(conn, platform):
            report.append(f"{platform.name}: has data, demo data skipped")
            continue
        with conn.transaction():
            now = database_now(conn)
            for index, name in enumerate(_ALREADY_REVOKED):
                create_request(conn, platform, fields=_fields(platform, index + 50, name),
                               email=_email(name), expires_on=now - timedelta(days=20 + index))
            # Revoked ten days ago by the scheduled job, through the job's own statements.
            revoke_expired(conn, platform, cutoff=now - timedelta(days=10))
            for index, (name, days, sent) in enumerate(_PEOPLE):
                expires: datetime | None = None if days is None else now + timedelta(days=days)
                key = create_request(conn, platform, fields=_fields(platform, index, name),
                                     email=_email(name), expires_on=expires)
                for reminder in sent:
                    record_notification(conn, platform, key, sent_to=_email(name),
                                        sent_by="demo-data", reminder_type=reminder)
        report.append(f"{platform.name}: {len(_PEOPLE) + len(_ALREADY_REVOKED)} demo requests")
    return "; ".join(report)
