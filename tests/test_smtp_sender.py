"""The SMTP sender against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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


@contextmanager
def running_relay() -> Iterator[tuple[Inbox, int]]:
    """A relay on loopback that wants a login (plain, no TLS): its inbox and port."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    with running_relay() as relay:
        yield relay


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own CA: trusted only where we say so."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SMTP test relay")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "relay.pem", directory / "relay.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def starttls_server(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    """A relay like a production one: STARTTLS before anything else, login only over TLS."""
    cert_file, key_file = self_signed_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_required=True, auth_require_tls=True, require_starttls=True, tls_context=context)
    controller.start()
    try:
        yield inbox, port, cert_file
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


def test_with_starttls_the_login_and_the_message_go_over_a_verified_tls_connection(
    starttls_server: tuple[Inbox, int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a relay that refuses login and mail before STARTTLS, whose certificate the client trusts
    inbox, port, cert_file = starttls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # OpenSSL's default trust store, for this test

    # When the sender (STARTTLS is the default) sends a reminder
    asyncio.run(sender_for(tmp_path, port, SMTP_STARTTLS=True).send(reminder()))

    # Then it arrived, which the relay allows only after STARTTLS and a login over TLS
    assert [recipients for _, recipients, _ in inbox.messages] == [["ann@example.com"]]


def test_a_relay_whose_certificate_is_not_trusted_is_a_send_failure_and_gets_nothing(
    starttls_server: tuple[Inbox, int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a relay whose self-signed certificate nothing trusts
    inbox, port, _ = starttls_server
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)

    # When the sender tries to send
    with pytest.raises(SendFailed, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        asyncio.run(sender_for(tmp_path, port, SMTP_STARTTLS=True).send(reminder()))

    # Then nothing was delivered
    assert inbox.messages == []
