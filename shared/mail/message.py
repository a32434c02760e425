"""The reminder email itself: a real message with a plain-text and an HTML body."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from html import escape

from shared.platforms import Platform

REMINDER_30_DAYS = "30-Day Reminder"
REMINDER_7_DAYS = "7-Day Reminder"


def reminder_message(
    *,
    platform: Platform,
    request_key: object,
    request_fields: dict[str, object],
    recipient: str,
    sender: str,
    reminder_type: str,
    expires_on: datetime,
    days_left: int,
) -> EmailMessage:
    when = "today" if days_left == 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
    expiry = expires_on.strftime("%Y-%m-%d %H:%M UTC")
    details = [("Platform", platform.display_name), ("Request", str(request_key))]
    details += [(name, str(value)) for name, value in request_fields.items() if value not in (None, "")]
    details += [("Expires on", expiry), ("Days left", str(days_left))]

    message = EmailMessage()
    message["Subject"] = f"{reminder_type}: your {platform.display_name} access expires {when}"
    message["From"] = sender
    message["To"] = recipient
    message.set_content(
        f"Hello,\n\nYour {platform.display_name} access granted by request {request_key} "
        f"expires {when}, on {expiry}.\n\n"
        + "\n".join(f"{name}: {value}" for name, value in details)
        + "\n\nIf you still need this access, submit a renewal request before it expires. "
        "After that date it is revoked automatically.\n\n-- Access governance\n"
    )
    rows = "".join(
        f"<tr><th align='left'>{escape(name)}</th><td>{escape(value)}</td></tr>" for name, value in details
    )
    message.add_alternative(
        f"<html><body><p>Hello,</p><p>Your <strong>{escape(platform.display_name)}</strong> access "
        f"granted by request <strong>{escape(str(request_key))}</strong> expires "
        f"<strong>{escape(when)}</strong>, on {escape(expiry)}.</p><table>{rows}</table>"
        "<p>If you still need this access, submit a renewal request before it expires. After that "
        "date it is revoked automatically.</p><p>Access governance</p></body></html>",
        subtype="html",
    )
    return message
