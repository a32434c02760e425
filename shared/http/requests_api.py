"""Access-request endpoints: list, create, pending expiry, pending notifications."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from datetime import datetime, timedelta
from typing import TypeVar

import azure.functions as func
from pydantic import BaseModel

from shared.db import Connection
from shared.db.in_thread import in_db
from shared.http.call import Call, json_response
from shared.http.models import (
    MAX_EXPIRES_IN_DAYS,
    MIN_TEST_EXPIRES_IN_DAYS,
    RequestListQuery,
    RequestOptions,
    access_request_model,
    create_request_model,
    pending_notification_model,
)
from shared.http.problems import ApiError
from shared.jobs.notifications import PendingReminder, pending_reminders
from shared.platforms import Platform
from shared.repositories import access_requests as repo

T = TypeVar("T")


def item(platform: Platform, request: repo.AccessRequest, now: datetime, model: type[BaseModel] | None = None,
         **extra: object) -> BaseModel:
    """`now`: the database's clock, the one the revoke job goes by."""
    expired = (request.status == platform.active_status and request.expires_on is not None
               and request.expires_on <= now)
    return (model or access_request_model(platform)).model_validate({
        platform.key.api: request.key,
        **request.fields,
        "requestedByEmail": request.email,
        "status": request.status,
        "expiresOn": request.expires_on,
        "createdAt": request.created_at,
        "revokedDt": request.revoked_dt,
        "revokedBy": request.revoked_by,
        "notificationCount": request.notification_count,
        "lastNotificationType": request.last_notification_type,
        "lastNotificationDt": request.last_notification_dt,
        "expired": expired,
        **extra,
    })


# A cursor is the position after a page, bound to the query it pages: base64url of a checksum and
# the JSON [sort, filters, value, key]. Not a secret and not a signature: it holds nothing the
# caller may not see, and an edited one that still checks out is merely another position (every value
# reaches SQL as a parameter). The checksum makes a damaged or hand-edited cursor a 400.
_CHECKSUM_BYTES = 8


def _query_identity(query: RequestListQuery) -> str:
    return json.dumps([query.q, query.status, query.expiresWithinDays])


def encode_cursor(query: RequestListQuery, position: repo.Position) -> str:
    payload = json.dumps([query.sort, _query_identity(query), position.value, position.key]).encode()
    return base64.urlsafe_b64encode(hashlib.sha256(payload).digest()[:_CHECKSUM_BYTES] + payload).decode().rstrip("=")


def decode_cursor(query: RequestListQuery, cursor: str) -> repo.Position:
    def refuse(why: str) -> ApiError:
        return ApiError(400, "Invalid query parameters.", errors=[{"field": "cursor", "message": why}])

    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise refuse("is not a cursor this API gave") from None
    checksum, payload = raw[:_CHECKSUM_BYTES], raw[_CHECKSUM_BYTES:]
    if hashlib.sha256(payload).digest()[:_CHECKSUM_BYTES] != checksum:
        raise refuse("is not a cursor this API gave") from None
    try:
        sort, identity, value, key = json.loads(payload)
    except ValueError:  # also the wrong number of members
        raise refuse("is not a cursor this API gave") from None
    if sort != query.sort or identity != _query_identity(query):
        raise refuse("belongs to another search, filter or sort: start again from the first page")
    if not isinstance(value, str | int) or isinstance(value, bool) or not isinstance(key, str | int):
        raise refuse("is not a cursor this API gave")
    return repo.Position(value, key)


def list_filter(platform: Platform, query: RequestListQuery, now: datetime) -> repo.RequestFilter:
    """The query's filters as the repository takes them: the status words are the platform's
    values, and Active and Expired split the active status at `now` (DESIGN section 6, R2)."""
    status = None if query.status is None else (
        platform.revoked_status if query.status == "Revoked" else platform.active_status)
    after = now if query.status == "Active" or query.expiresWithinDays is not None else None
    until = now if query.status == "Expired" else None
    if query.expiresWithinDays is not None:
        within = now + timedelta(days=query.expiresWithinDays)
        until = within if until is None else min(until, within)
    return repo.RequestFilter(q=query.q.strip() if query.q else None, status=status,
                              expires_after=after, expires_until=until)


async def list_access_requests(call: Call) -> func.HttpResponse:
    query = call.query(RequestListQuery)
    after = None if query.cursor is None else decode_cursor(query, query.cursor)

    def read(conn: Connection) -> tuple[datetime, int, repo.Page]:
        now = repo.database_now(conn)
        matching = list_filter(call.platform, query, now)
        try:
            page = repo.list_page(conn, call.platform, matching, sort=query.sort, after=after,
                                  offset=query.offset, limit=query.limit)
        except repo.PositionInvalid as error:
            raise ApiError(400, "Invalid query parameters.", errors=[
                {"field": "cursor", "message": f"is not a cursor this API gave ({error})"}]) from None
        return now, repo.count_matching(conn, call.platform, matching), page

    now, total, page = await in_db(call.settings, read)
    headers = {"X-Total-Count": str(total)}
    if page.next is not None:
        headers["X-Next-Cursor"] = encode_cursor(query, page.next)
    return json_response([item(call.platform, r, now) for r in page.requests], headers=headers)


async def pending_expiry(call: Call) -> func.HttpResponse:
    def read(conn: Connection) -> tuple[datetime, list[repo.AccessRequest]]:
        return repo.database_now(conn), repo.pending_expiry(conn, call.platform)

    now, requests = await in_db(call.settings, read)
    return json_response([item(call.platform, r, now) for r in requests])


async def pending_notifications(call: Call) -> func.HttpResponse:
    def read(conn: Connection) -> tuple[datetime, list[PendingReminder]]:
        return repo.database_now(conn), pending_reminders(conn, call.platform)

    now, pending = await in_db(call.settings, read)
    model = pending_notification_model(call.platform)
    return json_response([
        item(call.platform, due.request, now, model, daysLeft=due.days_left, reminderType=due.reminder_type)
        for due in pending
    ])


async def request_options(call: Call) -> func.HttpResponse:
    settings = call.settings
    return json_response(RequestOptions(
        requestTypes=list(call.platform.request_types),
        minExpiresInDays=MIN_TEST_EXPIRES_IN_DAYS if settings.allow_test_simulation else 1,
        maxExpiresInDays=MAX_EXPIRES_IN_DAYS,
        maxLengths={c.api: c.max_length for c in call.platform.fields},
        allowedEmailDomains=sorted(settings.allowed_email_domains),
    ))


async def create_access_request(call: Call) -> func.HttpResponse:
    body = call.body(create_request_model(call.platform, call.settings.allow_test_simulation))
    platform = call.platform
    if not call.settings.email_allowed(body.requestedByEmail):
        allowed = ", ".join(sorted(call.settings.allowed_email_domains))
        raise ApiError(422, "The request body is invalid.", errors=[{
            "field": "requestedByEmail",
            "message": f"reminders go only to addresses in these domains (EMAIL_ALLOWED_DOMAINS): {allowed}"}])
    fields = {c.api: getattr(body, c.api) for c in platform.fields}
    for column in platform.fields:
        if column.generated_prefix and not fields[column.api]:
            fields[column.api] = f"{column.generated_prefix}{secrets.token_hex(4).upper()}"

    def create(conn: Connection) -> tuple[datetime, repo.AccessRequest]:
        now = repo.database_now(conn)
        expires = None
        if "expiresInDays" in body.model_fields_set:
            expires = now + timedelta(days=body.expiresInDays)
        elif "expiresOn" in body.model_fields_set:
            expires = body.expiresOn  # validated: UTC, within what the column stores
        if expires is not None and expires <= now and not call.settings.allow_test_simulation:
            raise ApiError(400, "An already-expired request can be created only in test mode "
                                "(ALLOW_TEST_SIMULATION=true).")
        number = fields[platform.number_field.api]
        # One transaction from the probe to the insert: no other create can take the number between.
        with conn.transaction():
            if platform.number_unique and isinstance(number, str) and repo.number_taken(conn, platform, number):
                raise ApiError(409, f"Request number {number} is taken: give another, or leave it empty for "
                                    "a generated one.", title="Duplicate request number",
                               errors=[{"field": platform.number_field.api, "message": "is already taken"}])
            key = repo.create_request(conn, platform, fields=fields, email=body.requestedByEmail,
                                      expires_on=expires)
        created = repo.get_request(conn, platform, key)
        assert created is not None
        return now, created

    now, created = await in_db(call.settings, create)
    return json_response(item(platform, created, now), status=201)
