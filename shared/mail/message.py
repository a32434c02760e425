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

from shared.mail.templates import MessageTemplates, message_templates
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
    templates: MessageTemplates | None = None,
    public_base_url: str = "",
) -> Reminder:
    """Render the reminder for its kind (`reminder_type`). Only the values below reach a template:
    the platform's name, the identifiers that pass `safe_identifier`, the expiry and the days left,
    and a link built from the operator's PUBLIC_BASE_URL and the platform's own name."""
    when = "today" if days_left == 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
    expiry = expires_on.strftime("%Y-%m-%d %H:%M UTC")
    key = safe_identifier(request_key)
    details = [("Platform", platform.display_name)] + ([("Request", key)] if key else [])
    for column in platform.fields:
        value = safe_identifier(request_fields.get(column.api))
        if column.email_label and value:
            details.append((column.email_label, value))
    details += [("Expires on", expiry), ("Days left", str(days_left))]
    context = {
        "kind": reminder_type, "platform": platform.display_name, "request_key": key, "details": details,
        "expires_on": expiry, "days_left": days_left, "when": when,
        "link": f"{public_base_url}/{platform.name}/requests" if public_base_url else "",
    }
    rendered = (templates or message_templates("")).render(reminder_type, context)
    return Reminder(recipient=recipient, sender=sender, subject=rendered.subject, text=rendered.text,
                    html=rendered.html)
