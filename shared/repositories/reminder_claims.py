"""Reminder claims (DESIGN section 4, R2): a request is claimed just before its reminder is sent.

A claim is what a run that takes over the lock sees of the reminders the previous holder may still
be sending or recording: it is not taken while another run's claim lasts, nor once the reminder has
been recorded. It lasts the send's timeout plus a margin, by the database clock, and then expires
by itself, so a claim left by a run that died makes the request due again. The notification tables
keep successful sends only (SPEC); claims live apart from them.
"""

from __future__ import annotations

from shared.db.connection import Connection
from shared.platforms import JobKind, Platform
from shared.repositories.access_requests import RequestKey, key_param


def take_claim(
    conn: Connection, platform: Platform, job_id: str, key: RequestKey, reminder_type: str, *, seconds: float
) -> bool:
    """Claim the request for `job_id`'s send of `reminder_type`; False when it may not be sent."""
    rows = conn.query("claims.take", (
        platform.job_type(JobKind.NOTIFICATION), str(key), conn.dialect.uuid_param(job_id),
        conn.dialect.milliseconds_param(seconds), key_param(conn, platform, key), reminder_type,
    ), platform)
    return bool(rows)


def release_claim(conn: Connection, platform: Platform, job_id: str, key: RequestKey) -> None:
    """Give the claim up (its send failed, or is recorded): only `job_id`'s own claim goes."""
    conn.query("claims.release", (
        platform.job_type(JobKind.NOTIFICATION), str(key), conn.dialect.uuid_param(job_id),
    ))
