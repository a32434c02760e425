"""The reminder email: subject, plain-text and HTML bodies, and the MIME message built from them.

A `Reminder` is cheap to make (plain strings); the MIME message is built only by a sender that
transmits it. Building a thousand `EmailMessage`s up front costs about a millisecond each on the
event loop, which would delay every simulated send behind it (bench/notify measured 2 s for 1000).

What a reminder says (DESIGN section 6, R2): the platform, the expiry, the days left, and the
identifiers that help the recipient find the request (its key, request number, project id), each
only when it looks like an identifier. Whoever creates a request types its fields, so nothing free
form (a justification, a name) goes into mail sent from the service's own address: that would make
the service a phishing relay. The names are left out too: the recipient knows their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from html import escape

from shared.platforms import Platform

REMINDER_30_DAYS = "30-Day Reminder"
REMINDER_7_DAYS = "7-Day Reminder"

# Letters, digits and `._:-`: no spaces (no sentences), no `/` or `@` (no URL or address a mail
# client would make a link of), no markup. A UUID key is 36 characters.
SAFE_IDENTIFIER = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def safe_identifier(value: object) -> str | None:
    """The value as text when it looks like an identifier, else None (left out of the email)."""
    text = str(value) if value is not None else ""
    return text if SAFE_IDENTIFIER.fullmatch(text) else None


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
    key = safe_identifier(request_key)
    details = [("Platform", platform.display_name)] + ([("Request", key)] if key else [])
    for column in platform.fields:
        value = safe_identifier(request_fields.get(column.api))
        if column.email_label and value:
            details.append((column.email_label, value))
    details += [("Expires on", expiry), ("Days left", str(days_left))]
    granted = f"granted by request {key} " if key else ""
    text = (
        f"Hello,\n\nYour {platform.display_name} access {granted}expires {when}, on {expiry}.\n\n"
        + "\n".join(f"{name}: {value}" for name, value in details)
        + "\n\nIf you still need this access, submit a renewal request before it expires. "
        "After that date it is revoked automatically.\n\n-- Access governance\n"
    )
    rows = "".join(
        f"<tr><th align='left'>{escape(name)}</th><td>{escape(value)}</td></tr>" for name, value in details
    )
    granted_html = f"granted by request <strong>{escape(key)}</strong> " if key else ""
    html = (
        f"<html><body><p>Hello,</p><p>Your <strong>{escape(platform.display_name)}</strong> access "
        f"{granted_html}expires <strong>{escape(when)}</strong>, on {escape(expiry)}.</p><table>{rows}</table>"
        "<p>If you still need this access, submit a renewal request before it expires. After that "
        "date it is revoked automatically.</p><p>Access governance</p></body></html>"
    )
    subject = f"{reminder_type}: your {platform.display_name} access expires {when}"
    return Reminder(recipient=recipient, sender=sender, subject=subject, text=text, html=html)
