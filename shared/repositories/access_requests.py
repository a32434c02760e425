"""Access requests of one platform, their reminders and their revocations."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.db.connection import Connection, Row
from shared.db.dialect import read_datetime, read_uuid
from shared.platforms import KeyKind, Platform
from shared.queries import LIST_FILTERS

# The SPEC's "never expires" marker, stored as a real date so that range predicates exclude it.
NEVER_EXPIRES = datetime(9999, 12, 31, tzinfo=UTC)
REVOKED_BY_SCHEDULED_JOB = "System - Scheduled Expiry Job"

RequestKey = int | str


@dataclass(frozen=True)
class AccessRequest:
    key: RequestKey
    email: str
    expires_on: datetime | None  # None: never expires
    status: str
    created_at: datetime | None
    fields: dict[str, object]  # the platform's own columns, by API name
    revoked_dt: datetime | None = None
    revoked_by: str | None = None
    notification_count: int = 0
    last_notification_type: str | None = None
    last_notification_dt: datetime | None = None


@dataclass(frozen=True)
class ReminderCandidate:
    """An Active request 0..30 calendar days from expiry: what the reminder decision needs."""

    key: RequestKey
    days_left: int
    notification_count: int


def _key(platform: Platform, value: object) -> RequestKey:
    return read_uuid(value) if platform.key_kind is KeyKind.UUID else int(str(value))


def key_param(conn: Connection, platform: Platform, key: RequestKey) -> object:
    return conn.dialect.uuid_param(str(key)) if platform.key_kind is KeyKind.UUID else int(key)


def _from_row(platform: Platform, row: Row) -> AccessRequest:
    expires = read_datetime(row["expires_on"])
    return AccessRequest(
        key=_key(platform, row["request_key"]),
        email=row["email"],
        expires_on=None if expires is None or expires >= NEVER_EXPIRES else expires,
        status=row["status"],
        created_at=read_datetime(row["created_at"]),
        fields={c.api: row[c.sql] for c in platform.fields},
        revoked_dt=read_datetime(row["revoked_dt"]),
        revoked_by=row["revoked_by"],
        notification_count=int(row["notification_count"] or 0),
        last_notification_type=row["last_notification_type"],
        last_notification_dt=read_datetime(row["last_notification_dt"]),
    )


def count_requests(conn: Connection, platform: Platform) -> int:
    row = conn.query_one("requests.count", (), platform)
    return int(row["total"]) if row else 0


def list_requests(
    conn: Connection, platform: Platform, *, offset: int, limit: int
) -> list[AccessRequest]:
    """All requests, newest first, a page at a time."""
    return list_page(conn, platform, RequestFilter(), offset=offset, limit=limit).requests


# What a cursor's key and time may hold: SQLite's integers are 64-bit, SQL Server's DATETIME starts in 1753.
_LARGEST_KEY = 2**63 - 1
_EARLIEST_YEAR = 1753


@dataclass(frozen=True)
class RequestFilter:
    """Which requests a list shows; None: not filtered by it."""

    q: str | None = None  # a substring of the number, the requester's email or name (any case)
    status: str | None = None  # the platform's own status value
    expires_after: datetime | None = None
    expires_until: datetime | None = None  # inclusive


@dataclass(frozen=True)
class Position:
    """Where a keyset page starts: after the request with this sort value and key. A time is
    ISO-8601 text; without a creation column "created" sorts by the key itself."""

    value: str | int
    key: RequestKey


@dataclass(frozen=True)
class Page:
    requests: list[AccessRequest]
    next: Position | None  # None: the last page


def _sorts_by_time(platform: Platform, sort: str) -> bool:
    return sort == "expires" or (sort == "created" and platform.created_column is not None)


def _filter_values(conn: Connection, platform: Platform, matching: RequestFilter) -> dict[str, list[object] | None]:
    """Each filter's condition parameters by its name in LIST_FILTERS; None: absent."""
    def time(value: datetime | None) -> list[object] | None:
        return None if value is None else [conn.dialect.datetime_param(value)]

    contains = conn.dialect.contains_param(matching.q) if matching.q is not None else None
    values: dict[str, list[object] | None] = {
        "status": None if matching.status is None else [matching.status],
        "after": time(matching.expires_after), "until": time(matching.expires_until),
        "q": None if contains is None else [contains for _ in platform.search_columns]}
    return {name: values[name] for name in LIST_FILTERS}


def _filter_params(conn: Connection, platform: Platform, matching: RequestFilter) -> list[object]:
    """The page statements' filter parameters: each filter "absent (NULL) or true"."""
    params: list[object] = []
    for name, values in _filter_values(conn, platform, matching).items():
        conditions = len(platform.search_columns) if name == "q" else 1
        params += [None] * (1 + conditions) if values is None else [values[0], *values]
    return params


def count_matching(conn: Connection, platform: Platform, matching: RequestFilter) -> int:
    """How many requests `matching` admits, by the statement for just the filters it sets."""
    present = {name: values for name, values in _filter_values(conn, platform, matching).items() if values}
    statement = "requests.count" + "".join(f".{name}" for name in present)
    row = conn.query_one(statement, [value for values in present.values() for value in values], platform)
    return int(row["total"]) if row else 0


class PositionInvalid(ValueError):
    """A position whose sort value or key this sort cannot hold (a cursor that was edited)."""


def position_params(conn: Connection, platform: Platform, sort: str, position: Position) -> list[object]:
    """The sort value and key of `position` as the page statement compares them."""
    try:
        return _position_params(conn, platform, sort, position)
    except ValueError as error:
        raise PositionInvalid(str(error)) from None


def _position_params(conn: Connection, platform: Platform, sort: str, position: Position) -> list[object]:
    base = sort.removeprefix("-")
    key = _position_key(conn, platform, position.key)
    if _sorts_by_time(platform, base):
        moment = datetime.fromisoformat(position.value) if isinstance(position.value, str) else None
        if moment is None or moment.year < _EARLIEST_YEAR:
            raise ValueError("the sort value is not a time the column holds")
        value: object = conn.dialect.datetime_param(moment)
    elif base == "created":  # by key
        value = _position_key(conn, platform, position.value)
    elif isinstance(position.value, str):
        value = position.value
    else:
        raise ValueError("the sort value is not a request number")
    return [value, value, key]


def _position_key(conn: Connection, platform: Platform, value: object) -> object:
    key = _key(platform, value)
    if isinstance(key, int) and abs(key) > _LARGEST_KEY:
        raise ValueError("the key is out of range")
    return key_param(conn, platform, key)


def list_page(
    conn: Connection, platform: Platform, matching: RequestFilter, *, sort: str = "-created",
    after: Position | None = None, offset: int = 0, limit: int,
) -> Page:
    """Up to `limit` requests in `sort` order (`offset` of them skipped) after `after`, and where
    the next page starts if there is one. Raises PositionInvalid for a position that is not this sort's."""
    params = _filter_params(conn, platform, matching)
    if after is not None:
        params += position_params(conn, platform, sort, after)
    family = "page" if matching.q is None else "search"
    statement = f"requests.{family}{'' if after is None else '_after'}.{sort}"
    rows = conn.query(statement, [*params, offset, limit + 1], platform)  # one more: is there a next page?
    requests = [_from_row(platform, row) for row in rows[:limit]]
    if len(rows) <= limit:
        return Page(requests, None)
    value = rows[limit - 1]["sort_value"]
    base = sort.removeprefix("-")
    if _sorts_by_time(platform, base):
        moment = read_datetime(value)
        assert moment is not None  # the time columns are NOT NULL
        value = moment.isoformat()
    else:
        value = _key(platform, value) if base == "created" else str(value)
    return Page(requests, Position(value, requests[-1].key))


def number_taken(conn: Connection, platform: Platform, number: str) -> bool:
    """Whether a request already has this number (any case). In the create's transaction, so that
    no other create takes it before the insert (see the statement)."""
    return conn.query_one("requests.number_taken", (number,), platform) is not None


def get_request(conn: Connection, platform: Platform, key: RequestKey) -> AccessRequest | None:
    row = conn.query_one("requests.get", (key_param(conn, platform, key),), platform)
    return _from_row(platform, row) if row else None


def pending_expiry(conn: Connection, platform: Platform) -> list[AccessRequest]:
    """Active requests already past expiry: what the revoke job would take now."""
    rows = conn.query("requests.pending_expiry", (platform.active_status,), platform)
    return [_from_row(platform, row) for row in rows]


def notification_candidates(conn: Connection, platform: Platform) -> list[ReminderCandidate]:
    """Active requests 0..30 calendar days from expiry, with days left and reminders sent."""
    rows = conn.query("requests.notification_candidates", (platform.active_status,), platform)
    return [
        ReminderCandidate(_key(platform, row["request_key"]), int(row["days_left"]), int(row["notification_count"]))
        for row in rows
    ]


# Keeps each statement's key list well inside the engines' limits on one parameter's size.
KEYS_PER_STATEMENT = 1000


def get_active_requests(
    conn: Connection, platform: Platform, keys: Sequence[RequestKey]
) -> dict[RequestKey, AccessRequest]:
    """Those of `keys` that are still Active, by key."""
    found: dict[RequestKey, AccessRequest] = {}
    for start in range(0, len(keys), KEYS_PER_STATEMENT):
        chunk = json.dumps([key_param(conn, platform, key) for key in keys[start:start + KEYS_PER_STATEMENT]])
        for row in conn.query("requests.get_active_many", (platform.active_status, chunk), platform):
            request = _from_row(platform, row)
            found[request.key] = request
    return found


def create_request(
    conn: Connection,
    platform: Platform,
    *,
    fields: Mapping[str, object],
    email: str,
    expires_on: datetime | None,
    status: str | None = None,
) -> RequestKey:
    """Insert a request; `fields` by API name, `expires_on=None` for never. Returns its key."""
    generated: list[object] = []
    if platform.key_kind is KeyKind.UUID:
        generated = [str(uuid.uuid4())]
    params = [
        *generated,
        *(fields.get(c.api) for c in platform.fields),
        email,
        conn.dialect.datetime_param(expires_on or NEVER_EXPIRES),
        status or platform.active_status,
    ]
    row = conn.query_one("requests.insert", params, platform)
    if generated:
        return str(generated[0])
    assert row is not None and row["new_key"] is not None, "insert returned no key"
    return _key(platform, row["new_key"])


def record_notification(
    conn: Connection,
    platform: Platform,
    key: RequestKey,
    *,
    sent_to: str,
    sent_by: str,
    reminder_type: str,
) -> datetime:
    """Record one sent reminder; returns the database time it was recorded.

    The unique index (request, Notification_Type) makes a duplicate reminder an IntegrityError.
    """
    row = conn.query_one(
        "notifications.insert",
        (key_param(conn, platform, key), sent_to[:320], sent_by[:100], reminder_type),
        platform,
    )
    sent_at = read_datetime(row["sent_at"]) if row else None
    assert sent_at is not None
    return sent_at


class RevocationMismatch(RuntimeError):
    """The revocation rows and the status updates disagree; the transaction must roll back."""


def revoke_expired(
    conn: Connection,
    platform: Platform,
    *,
    cutoff: datetime,
    revoked_by: str = REVOKED_BY_SCHEDULED_JOB,
    job_id: str | None = None,
) -> int:
    """Revoke every Active request with expiry <= cutoff: set-based statements, and with `job_id`
    the run's outcome record of each revocation (DESIGN section 3, R2) between the two.

    Runs inside the caller's transaction; raises RevocationMismatch (so the caller rolls back)
    unless every statement touched the same number of requests.
    """
    at = conn.dialect.datetime_param(cutoff)
    counts = [conn.execute_count(
        "revoke.insert_revocations", (at, revoked_by, platform.active_status, at), platform
    )]
    if job_id is not None:  # while the requests are still Active: the same rows
        counts.append(conn.execute_count(
            "revoke.insert_items", (conn.dialect.uuid_param(job_id), at, platform.active_status, at), platform))
    updated = conn.execute_count(
        "revoke.mark_revoked", (platform.revoked_status, platform.active_status, at), platform
    )
    if any(count != updated for count in counts):
        raise RevocationMismatch(
            f"{platform.name}: {counts} revocation and outcome rows but {updated} status updates"
        )
    return updated


def revoke_cutoff(conn: Connection) -> datetime:
    """The database's now as Revoked_Dt stores it (SQL Server: DATETIME, 1/300 s), so the cutoff the
    revoke reports is the value its rows hold."""
    return _read_clock(conn, "revoke.cutoff")


def database_now(conn: Connection) -> datetime:
    """The database's clock (UTC): the only clock the service trusts across servers."""
    return _read_clock(conn, "clock.now")


def _read_clock(conn: Connection, statement: str) -> datetime:
    row = conn.query_one(statement)  # one row, one column
    now = read_datetime(next(iter(row.values()))) if row else None
    assert now is not None
    return now
