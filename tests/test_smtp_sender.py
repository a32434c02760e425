"""The SMTP sender against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from shared.mail.message import Reminder, reminder_message
from shared.mail.senders import FailureSimulation, SendFailed, SmtpSender
from shared.platforms import all_platforms
from shared.settings import load_settings
from tests.conftest import make_settings

PASSWORD = "s3cret-Passw0rd"


class Inbox:
    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == b"relay-user" and data.password == PASSWORD.encode()
    return AuthResult(success=ok)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def reminder(recipient: str = "ann@example.com") -> Reminder:
    platform = all_platforms(load_settings())[1]
    return reminder_message(platform=platform, request_key="2b1f0c1e-5f8a-4a51-9d0e-9a6b7a1f3c11",
                            request_fields={"projectId": "PRJ-7"}, recipient=recipient,
                            sender="governance@example.com", reminder_type="7-Day Reminder",
                            expires_on=datetime(2026, 12, 1, 9, 30, tzinfo=UTC), days_left=7)


def sender_for(tmp_path: Path, port: int, **overrides: object) -> SmtpSender:
    values: dict[str, object] = {"EMAIL_MODE": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port,
                                 "SMTP_STARTTLS": False, "SMTP_USERNAME": "relay-user", "SMTP_PASSWORD": PASSWORD,
                                 "SMTP_TIMEOUT_SECONDS": 5}
    values.update(overrides)
    return SmtpSender(make_settings(tmp_path, "sqlite", **values))


def test_after_login_the_message_arrives_with_recipient_subject_and_both_bodies(
    smtp_server: tuple[Inbox, int], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    inbox, port = smtp_server
    caplog.set_level(logging.DEBUG)

    asyncio.run(sender_for(tmp_path, port).send(reminder()))

    ((mail_from, recipients, raw),) = inbox.messages
    assert mail_from == "governance@example.com" and recipients == ["ann@example.com"]
    received = message_from_bytes(raw)
    assert received["Subject"] == "7-Day Reminder: your Palantir access expires in 7 days"
    parts = {part.get_content_type(): bytes(part.get_payload(decode=True)).decode()  # type: ignore[arg-type]
             for part in received.walk() if not part.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    for body in parts.values():
        assert "PRJ-7" in body and "2026-12-01 09:30 UTC" in body and "Palantir" in body
    assert PASSWORD not in caplog.text


def test_a_refusing_server_is_a_send_failure(smtp_server: tuple[Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp_server
    inbox.refuse = True

    with pytest.raises(SendFailed, match="550"):
        asyncio.run(sender_for(tmp_path, port).send(reminder()))


def test_an_unreachable_server_is_a_send_failure(tmp_path: Path) -> None:
    with pytest.raises(SendFailed, match="SMTP delivery failed"):
        asyncio.run(sender_for(tmp_path, free_port()).send(reminder()))


def test_simulated_failures_apply_before_anything_is_sent(smtp_server: tuple[Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp_server
    sender = sender_for(tmp_path, port)
    sender.failures = FailureSimulation.of(False, ["ann@example.com"])

    with pytest.raises(SendFailed, match="Simulated failure"):
        asyncio.run(sender.send(reminder("ann@example.com")))
    asyncio.run(sender.send(reminder("bob@example.com")))

    assert [recipients for _, recipients, _ in inbox.messages] == [["bob@example.com"]]
