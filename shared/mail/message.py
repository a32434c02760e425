"""The reminder email: subject, plain-text and HTML bodies, and the MIME message built from them.

A `Reminder` is cheap to make (plain strings); the MIME message is built only by a sender that
transmits it. Building a thousand `EmailMessage`s up front costs about a millisecond each on the
event loop, which would delay every simulated send behind it (bench/notify measured 2 s for 1000).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from html import escape

from shared.platforms import Platform

REMINDER_30_DAYS = "30-Day Reminder"
REMINDER_7_DAYS = "7-Day Reminder"


@dataclass(frozen=True)
class Reminder:
    recipient: str
    sender: str
    subject: str
    text: str
    html: str

    def to_mime(self) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = self.subject
        message["From"] = self.sender
        message["To"] = self.recipient
        message.set_content(self.text)
        message.add_alternative(self.html, subtype="html")
        return message


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
) -> Reminder:
    when = "today" if days_left == 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
    expiry = expires_on.strftime("%Y-%m-%d %H:%M UTC")
    details = [("Platform", platform.display_name), ("Request", str(request_key))]
    details += [(name, str(value)) for name, value in request_fields.items() if value not in (None, "")]
    details += [("Expires on", expiry), ("Days left", str(days_left))]
    text = (
        f"Hello,\n\nYour {platform.display_name} access granted by request {request_key} "
        f"expires {when}, on {expiry}.\n\n"
        + "\n".join(f"{name}: {value}" for name, value in details)
        + "\n\nIf you still need this access, submit a renewal request before it expires. "
        "After that date it is revoked automatically.\n\n-- Access governance\n"
    )
    rows = "".join(
        f"<tr><th align='left'>{escape(name)}</th><td>{escape(value)}</td></tr>" for name, value in details
    )
    html = (
        f"<html><body><p>Hello,</p><p>Your <strong>{escape(platform.display_name)}</strong> access "
        f"granted by request <strong>{escape(str(request_key))}</strong> expires "
        f"<strong>{escape(when)}</strong>, on {escape(expiry)}.</p><table>{rows}</table>"
        "<p>If you still need this access, submit a renewal request before it expires. After that "
        "date it is revoked automatically.</p><p>Access governance</p></body></html>"
    )
    subject = f"{reminder_type}: your {platform.display_name} access expires {when}"
    return Reminder(recipient=recipient, sender=sender, subject=subject, text=text, html=html)
