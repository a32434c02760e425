"""A run's outcome records (DESIGN section 3, R2): every send's and every revocation's outcome,
written as the run goes, so any instance can answer GET /{p}/jobs/{jobId} with the run's result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.db.connection import Connection
from shared.db.dialect import read_datetime
from shared.platforms import Platform

Outcome = Literal["Sent", "Failed", "Revoked", "NotStarted"]
REVOKE_ACTION = "Revoke"
DETAIL_MAX = 500  # JobRunItem.Detail is VARCHAR(500)
REQUEST_KEY_MAX = 64  # JobRunItem.Request_Key is VARCHAR(64)


@dataclass(frozen=True)
class JobItem:
    request_key: str  # the platform key as text
    email: str | None
    action: str  # the reminder type, or "Revoke"
    outcome: Outcome
    detail: str | None  # why a send failed or was not started
    days_left: int | None
    send_ms: int | None
    at: datetime
    request_label: str | None  # what people know the request by (Platform.number_column)


def record_item(
    conn: Connection, job_id: str, request_key: object, *, email: str | None, action: str, outcome: Outcome,
    detail: str | None = None, days_left: int | None = None, send_ms: float | None = None,
) -> None:
    """One outcome, inside the caller's transaction."""
    conn.query("job_items.insert", (
        conn.dialect.uuid_param(job_id), str(request_key)[:REQUEST_KEY_MAX], email, action, outcome,
        detail[:DETAIL_MAX] if detail else None, days_left, None if send_ms is None else round(send_ms),
    ))


def job_items(conn: Connection, platform: Platform, job_id: str) -> list[JobItem]:
    """The outcome records of one of `platform`'s runs, each labelled from its request's row."""
    rows = conn.query("job_items.of_job", (conn.dialect.uuid_param(job_id),), platform)
    items = []
    for row in rows:
        at = read_datetime(row["At"])
        assert at is not None
        items.append(JobItem(row["Request_Key"], row["Email"], row["Action"], row["Outcome"], row["Detail"],
                             row["Days_Left"], row["Send_Ms"], at, row["Request_Label"]))
    return items
