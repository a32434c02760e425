"""Access-request endpoints: list, create, pending expiry, pending notifications."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TypeVar

import azure.functions as func
from pydantic import BaseModel

from shared.db import Connection
from shared.db.in_thread import in_db
from shared.http.call import Call, json_response
from shared.http.models import (
    MAX_EXPIRES_IN_DAYS,
    MIN_TEST_EXPIRES_IN_DAYS,
    PageQuery,
    RequestOptions,
    access_request_model,
    create_request_model,
    pending_notification_model,
)
from shared.http.problems import ApiError
from shared.jobs.notifications import pending_reminders
from shared.platforms import Platform
from shared.repositories import access_requests as repo

T = TypeVar("T")


def item(platform: Platform, request: repo.AccessRequest, model: type[BaseModel] | None = None,
         **extra: object) -> BaseModel:
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
        **extra,
    })


async def list_access_requests(call: Call) -> func.HttpResponse:
    page = call.query(PageQuery)

    def read(conn: Connection) -> tuple[int, list[repo.AccessRequest]]:
        return (repo.count_requests(conn, call.platform),
                repo.list_requests(conn, call.platform, offset=page.offset, limit=page.limit))

    total, requests = await in_db(call.settings, read)
    return json_response([item(call.platform, r) for r in requests], headers={"X-Total-Count": str(total)})


async def pending_expiry(call: Call) -> func.HttpResponse:
    requests = await in_db(call.settings, lambda conn: repo.pending_expiry(conn, call.platform))
    return json_response([item(call.platform, r) for r in requests])


async def pending_notifications(call: Call) -> func.HttpResponse:
    pending = await in_db(call.settings, lambda conn: pending_reminders(conn, call.platform))
    model = pending_notification_model(call.platform)
    return json_response([
        item(call.platform, due.request, model, daysLeft=due.days_left, reminderType=due.reminder_type)
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

    def create(conn: Connection) -> repo.AccessRequest:
        now = repo.database_now(conn)
        expires = None
        if "expiresInDays" in body.model_fields_set:
            expires = now + timedelta(days=body.expiresInDays)
        elif "expiresOn" in body.model_fields_set:
            expires = body.expiresOn  # validated: UTC, within what the column stores
        if expires is not None and expires <= now and not call.settings.allow_test_simulation:
            raise ApiError(400, "An already-expired request can be created only in test mode "
                                "(ALLOW_TEST_SIMULATION=true).")
        key = repo.create_request(conn, platform, fields=fields, email=body.requestedByEmail,
                                  expires_on=expires)
        created = repo.get_request(conn, platform, key)
        assert created is not None
        return created

    created = await in_db(call.settings, create)
    return json_response(item(platform, created), status=201)
