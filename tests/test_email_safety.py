"""Reminder emails carry nothing a request's creator typed, and go only to EMAIL_ALLOWED_DOMAINS.

The phishing scenario (issue 10): a signed-in user created a Palantir request for an outside address
with a "justification" holding a phishing text and link, and the next notification run emailed it
from the service's own address.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest

from shared.db import connect
from shared.jobs.notifications import OUTSIDE_ALLOWED_DOMAINS
from shared.mail.message import reminder_message
from shared.platforms import all_platforms
from shared.repositories.access_requests import create_request, database_now
from shared.settings import Settings, SettingsError, load_settings
from tests.conftest import set_app_settings
from tests.http_support import invoke
from tests.test_smtp_sender import PASSWORD, running_relay

DATABRICKS, PALANTIR = all_platforms(load_settings())
PHISHING_TEXT = "Your access is suspended. Confirm your password now"
PHISHING_LINK = "https://login-micros0ft.example.net/verify"
PHISHING = f"{PHISHING_TEXT} at {PHISHING_LINK} !"


def bodies(raw: bytes) -> dict[str, str]:
    received = message_from_bytes(raw)
    parts = {part.get_content_type(): bytes(part.get_payload(decode=True)).decode()  # type: ignore[arg-type]
             for part in received.walk() if not part.is_multipart()}
    return parts | {"subject": str(received["Subject"])}


def test_a_create_for_an_address_outside_the_allowed_domains_is_refused_422(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given EMAIL_ALLOWED_DOMAINS naming the organisation's domains
    set_app_settings(monkeypatch, EMAIL_ALLOWED_DOMAINS="example.com, Contoso.CO.UK")
    phishing = {"projectId": "PRJ-1", "requestType": "Viewer", "justification": PHISHING,
                "requestedByEmail": "victim@outside.example.org", "expiresInDays": 10}

    # When the phishing request is created, and one for an allowed address (any case)
    refused = invoke("palantir_create_access_request", body=phishing)
    allowed = invoke("palantir_create_access_request", body=phishing | {"requestedByEmail": "Kim@CONTOSO.co.uk"})

    # Then the first is 422 problem+json naming the field, and only the second is saved
    assert (refused.status, refused.mimetype) == (422, "application/problem+json")
    (error,) = refused.json()["errors"]
    assert error["field"] == "requestedByEmail" and "EMAIL_ALLOWED_DOMAINS" in error["message"]
    assert allowed.status == 201
    assert invoke("palantir_list_access_requests").headers["X-Total-Count"] == "1"


def test_the_job_sends_no_typed_text_and_never_to_an_address_outside_the_allowed_domains(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_relay() as (inbox, port):
        # Given two rows written straight to the table before EMAIL_ALLOWED_DOMAINS was set, both
        # with a phishing justification: one for an allowed address, one for an outside one
        with connect(api_settings) as conn:
            expires = database_now(conn) + timedelta(days=10)
            for email in ("ann@example.com", "victim@outside.example.org"):
                create_request(conn, PALANTIR, fields={"projectId": "PRJ-42", "requestType": PHISHING,
                                                       "justification": PHISHING, "projectRid": PHISHING_LINK},
                               email=email, expires_on=expires)
        set_app_settings(monkeypatch, EMAIL_ALLOWED_DOMAINS="example.com", EMAIL_MODE="smtp",
                         SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), SMTP_STARTTLS="false",
                         SMTP_USERNAME="relay-user", SMTP_PASSWORD=PASSWORD)

        # When the notification job runs
        reply = invoke("palantir_send_expiry_notifications")

    # Then one email went out, to the allowed address, with neither the text nor the link
    assert reply.status == 200, reply.body
    ((_, recipients, raw),) = inbox.messages
    assert recipients == ["ann@example.com"]
    parts = bodies(raw)
    assert set(parts) == {"text/plain", "text/html", "subject"}
    for part in parts.values():
        assert PHISHING_TEXT not in part and "login-micros0ft" not in part and "https://" not in part
    for body in (parts["text/plain"], parts["text/html"]):
        assert "PRJ-42" in body and "Palantir" in body and "Days left" in body
    # and the outside address is a failure with a clear error, not a send
    result = reply.json()
    assert [n["email"] for n in result["notifications"]] == ["ann@example.com"]
    assert [(f["email"], f["error"]) for f in result["failures"]] == [
        ("victim@outside.example.org", OUTSIDE_ALLOWED_DOMAINS)]


@pytest.mark.parametrize("unsafe", [
    "https://evil.example.net/x", "PRJ 1", "<b>PRJ</b>", "ann@example.com", "x" * 65, "PRJ-1\nBcc: a@b.c", "",
])
def test_an_identifier_that_does_not_look_like_one_is_left_out_of_both_parts(unsafe: str) -> None:
    # Given a Databricks request whose number and key are not plain identifiers
    reminder = reminder_message(
        platform=DATABRICKS, request_key=unsafe or None, request_fields={
            "requestNumber": unsafe, "requestType": "Read", "requestedBy": "Ann Lee", "requestedByAdId": "ad-1"},
        recipient="ann@example.com", sender="governance@example.com", reminder_type="30-Day Reminder",
        expires_on=datetime(2026, 12, 1, tzinfo=UTC), days_left=20)

    # Then neither body shows it, nor any other field the creator typed
    for body in (reminder.text, reminder.html, reminder.subject):
        assert (not unsafe or unsafe not in body) and "Ann Lee" not in body and "Read" not in body
        assert "Request number" not in body and "ad-1" not in body
    assert "2026-12-01 00:00 UTC" in reminder.text and "Days left: 20" in reminder.text


def test_safe_identifiers_appear_as_plain_text_never_as_links() -> None:
    reminder = reminder_message(
        platform=DATABRICKS, request_key=17, request_fields={"requestNumber": "REQ-AB12.x:1"},
        recipient="ann@example.com", sender="governance@example.com", reminder_type="7-Day Reminder",
        expires_on=datetime(2026, 12, 1, tzinfo=UTC), days_left=1)

    assert "Request number: REQ-AB12.x:1" in reminder.text and "Request: 17" in reminder.text
    assert "<td>REQ-AB12.x:1</td>" in reminder.html and "<a" not in reminder.html


@pytest.mark.parametrize("value", ["example", "a b.com", "x.com/evil", "@example.com", "-a.example.com", "a_b.com"])
def test_an_invalid_email_allowed_domains_stops_start_up_naming_it(value: str) -> None:
    with pytest.raises(SettingsError, match="EMAIL_ALLOWED_DOMAINS"):
        load_settings(EMAIL_ALLOWED_DOMAINS=f"example.com,{value}")
