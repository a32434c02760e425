"""The email preview: the message a kind of reminder would be, for a sample or a named request,
rendered by the same code and templates as the job's."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import azure.functions as func

from shared.db import Connection
from shared.db.in_thread import in_db
from shared.http.call import Call, json_response
from shared.http.models import EmailPreview, EmailPreviewQuery
from shared.http.problems import ApiError
from shared.mail.message import reminder_message
from shared.mail.templates import message_templates
from shared.platforms import KeyKind, Platform
from shared.repositories import access_requests as repo

SAMPLE_EMAIL = "requester@example.com"


def request_key(platform: Platform, text: str) -> repo.RequestKey:
    """The platform's key from its text; 404 for what cannot be one (no such request)."""
    try:
        return int(text) if platform.key_kind is KeyKind.INTEGER else str(uuid.UUID(text))
    except ValueError:
        raise ApiError(404, f"No {platform.display_name} request {text!r}.") from None


def sample_request(platform: Platform, now: datetime, days_left: int) -> repo.AccessRequest:
    key: repo.RequestKey = 1234 if platform.key_kind is KeyKind.INTEGER else "3f2b9c1e-7d4a-4e8b-9c1f-2a6b7d8e9f01"
    fields: dict[str, object] = {c.api: "SAMPLE-42" for c in platform.fields if c.email_label}
    return repo.AccessRequest(key=key, email=SAMPLE_EMAIL, expires_on=now + timedelta(days=days_left),
                              status=platform.active_status, created_at=None, fields=fields)


async def email_preview(call: Call) -> func.HttpResponse:
    query, platform, settings = call.query(EmailPreviewQuery), call.platform, call.settings
    stage_days = int(query.kind.split("-", 1)[0])  # "{d}-Day Reminder"
    key = request_key(platform, query.requestKey) if query.requestKey is not None else None

    def read(conn: Connection) -> tuple[repo.AccessRequest | None, datetime]:
        return (repo.get_request(conn, platform, key) if key is not None else None), repo.database_now(conn)

    found, now = await in_db(settings, read)
    if key is not None and found is None:
        raise ApiError(404, f"No {platform.display_name} request {query.requestKey!r}.")
    request = found or sample_request(platform, now, stage_days)
    if request.expires_on is None:
        raise ApiError(422, "This request never expires: it gets no reminder.")
    days_left = max(0, (request.expires_on.date() - now.date()).days)  # calendar days, as the job counts
    message = reminder_message(
        platform=platform, request_key=request.key, request_fields=request.fields, recipient=request.email,
        sender=settings.email_from, reminder_type=query.kind, expires_on=request.expires_on, days_left=days_left,
        templates=message_templates(settings.email_templates_dir), public_base_url=settings.public_base_url)
    return json_response(EmailPreview(kind=query.kind, requestKey=found.key if found else None,
                                      recipient=message.recipient, sender=message.sender, subject=message.subject,
                                      text=message.text, html=message.html))
