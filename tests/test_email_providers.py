"""The ACS and Graph senders, each with its real client (the ACS SDK's aio client, httpx), against a
local HTTPS server that follows the provider's REST contract (tests/provider_server.py).

ACS Email: POST {endpoint}/emails:send?api-version=... → 202 with Operation-Location, then GET that
operation until it is Succeeded or Failed. Graph: POST /v1.0/users/{sender}/sendMail → 202.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from shared.mail.senders import (
    AcsSender,
    GraphSender,
    SenderMisconfigured,
    SendFailed,
    SendThrottled,
    SendUnconfirmed,
    make_sender,
)
from tests.conftest import make_settings
from tests.provider_server import Provider, Reply, https_provider
from tests.test_smtp_sender import reminder

ACS_API_VERSION = "2025-09-01"  # the SDK's default; 2023-03-31 is the first GA version


class StaticToken:
    """A TokenCredential that hands out one token and remembers the scopes asked for."""

    def __init__(self, error: Exception | None = None) -> None:
        self.scopes: list[tuple[str, ...]] = []
        self.error = error

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        self.scopes.append(scopes)
        if self.error:
            raise self.error
        return AccessToken("test-token", int(time.time()) + 3600)


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[tuple[Provider, Path]]:
    with https_provider(tmp_path) as running:
        yield running


def acs_sender(tmp_path: Path, provider: Provider, cert: Path, credential: StaticToken | None = None,
               **settings: object) -> AcsSender:
    values: dict[str, object] = {"EMAIL_MODE": "acs", "ACS_ENDPOINT": provider.base_url} | settings
    return AcsSender(make_settings(tmp_path, "sqlite", **values), credential=credential or StaticToken(),
                     polling_interval_seconds=0.01, operation_timeout_seconds=2,
                     client_options={"connection_verify": str(cert)})


def graph_sender(tmp_path: Path, provider: Provider, cert: Path, credential: StaticToken | None = None) -> GraphSender:
    settings = make_settings(tmp_path, EMAIL_MODE="graph", GRAPH_SENDER="governance@example.com")
    return GraphSender(settings, credential=credential or StaticToken(), base_url=f"{provider.base_url}/v1.0",
                       ssl_context=ssl.create_default_context(cafile=cert))


# --- ACS ---------------------------------------------------------------------------------------

def test_acs_queues_the_message_with_a_token_and_counts_it_sent_when_the_operation_succeeds(
    tmp_path: Path, provider: tuple[Provider, Path]
) -> None:
    server, cert = provider
    credential = StaticToken()
    message = reminder()

    asyncio.run(acs_sender(tmp_path, server, cert, credential).send(message))

    send, *polls = server.received
    assert (send.method, send.path, send.query["api-version"]) == ("POST", "/emails:send", [ACS_API_VERSION])
    assert send.headers["authorization"] == "Bearer test-token"
    assert credential.scopes == [("https://communication.azure.com//.default",)]
    assert send.body == {
        "senderAddress": "governance@example.com",
        "recipients": {"to": [{"address": "ann@example.com"}]},
        "content": {"subject": message.subject, "plainText": message.text, "html": message.html},
        "userEngagementTrackingDisabled": True,
    }
    assert "PRJ-7" in send.body["content"]["plainText"] and "<td>PRJ-7</td>" in send.body["content"]["html"]
    # and it polled the operation until it ended
    assert [p.method for p in polls] == ["GET", "GET"] and server.polls == 2
    assert all(p.path.startswith("/emails/operations/") for p in polls)


def test_acs_with_a_connection_string_signs_the_request_with_the_access_key(
    tmp_path: Path, provider: tuple[Provider, Path]
) -> None:
    server, cert = provider
    sender = acs_sender(tmp_path, server, cert, ACS_ENDPOINT="",
                        ACS_CONNECTION_STRING=f"endpoint={server.base_url}/;accesskey=c2VjcmV0LWtleQ==")

    asyncio.run(sender.send(reminder()))

    send = server.received[0]
    assert send.headers["authorization"].startswith("HMAC-SHA256 SignedHeaders=")
    assert "x-ms-content-sha256" in send.headers and send.path == "/emails:send"


def test_acs_throttling_429_with_retry_after_is_send_throttled(tmp_path: Path, provider: tuple[Provider, Path]) -> None:
    server, cert = provider
    server.send = Reply(429, {"error": {"code": "TooManyRequests", "message": "Rate limit exceeded"}},
                        {"Retry-After": "37"})

    with pytest.raises(SendThrottled, match="TooManyRequests") as raised:
        asyncio.run(acs_sender(tmp_path, server, cert).send(reminder()))

    assert raised.value.retry_after_seconds == 37
    assert len(server.received) == 1  # the SDK did not retry by itself: the run paces the sends


def test_acs_500_is_a_failure_of_this_message(tmp_path: Path, provider: tuple[Provider, Path]) -> None:
    server, cert = provider
    server.send = Reply(500, {"error": {"code": "InternalServerError", "message": "Something broke"}})

    with pytest.raises(SendFailed, match="500 InternalServerError: Something broke") as raised:
        asyncio.run(acs_sender(tmp_path, server, cert).send(reminder()))

    assert type(raised.value) is SendFailed


def test_acs_operation_that_ends_failed_is_a_failure_with_the_providers_reason(
    tmp_path: Path, provider: tuple[Provider, Path]
) -> None:
    server, cert = provider
    server.operation = ["Running", "Failed"]
    server.operation_error = {"code": "EmailDroppedAllRecipientsSuppressed",
                              "message": "Message not delivered: all recipients are suppressed"}

    with pytest.raises(SendFailed, match="could not send the message: EmailDroppedAllRecipientsSuppressed") as raised:
        asyncio.run(acs_sender(tmp_path, server, cert).send(reminder()))

    assert "recipients are suppressed" in str(raised.value) and type(raised.value) is SendFailed


def test_acs_operation_still_running_at_the_deadline_is_unconfirmed_and_keeps_its_claim(
    tmp_path: Path, provider: tuple[Provider, Path]
) -> None:
    server, cert = provider
    server.operation = ["Running"]
    sender = acs_sender(tmp_path, server, cert)
    sender.operation_timeout_seconds = 0.3

    with pytest.raises(SendUnconfirmed, match="may still be delivered") as raised:
        asyncio.run(sender.send(reminder()))

    assert isinstance(raised.value, TimeoutError)  # the run keeps the claim of a timed-out send


@pytest.mark.parametrize("status", [401, 403])
def test_acs_401_or_403_is_a_configuration_error(
    tmp_path: Path, provider: tuple[Provider, Path], status: int
) -> None:
    server, cert = provider
    server.send = Reply(status, {"error": {"code": "Denied", "message": "The identity may not send"}})

    with pytest.raises(SenderMisconfigured, match=f"{status} Denied"):
        asyncio.run(acs_sender(tmp_path, server, cert).send(reminder()))


def test_acs_without_a_token_is_a_configuration_error(tmp_path: Path, provider: tuple[Provider, Path]) -> None:
    server, cert = provider
    no_identity = StaticToken(ClientAuthenticationError("ManagedIdentityCredential: no identity assigned"))

    with pytest.raises(SenderMisconfigured, match="no identity assigned"):
        asyncio.run(acs_sender(tmp_path, server, cert, no_identity).send(reminder()))

    assert server.received == []


# --- Graph -------------------------------------------------------------------------------------

def test_graph_posts_sendmail_as_the_mailbox_with_a_graph_token_and_no_sent_items_copy(
    tmp_path: Path, provider: tuple[Provider, Path]
) -> None:
    server, cert = provider
    credential = StaticToken()
    message = reminder()

    asyncio.run(graph_sender(tmp_path, server, cert, credential).send(message))

    (send,) = server.received
    assert (send.method, send.path) == ("POST", "/v1.0/users/governance@example.com/sendMail")
    assert send.headers["authorization"] == "Bearer test-token"
    assert send.headers["content-type"] == "application/json"
    assert credential.scopes == [("https://graph.microsoft.com/.default",)]
    assert send.body == {
        "message": {
            "subject": message.subject,
            "body": {"contentType": "HTML", "content": message.html},
            "toRecipients": [{"emailAddress": {"address": "ann@example.com"}}],
        },
        "saveToSentItems": False,
    }


@pytest.mark.parametrize("status", [429, 503])
def test_graph_throttling_with_retry_after_is_send_throttled(
    tmp_path: Path, provider: tuple[Provider, Path], status: int
) -> None:
    server, cert = provider
    server.send = Reply(status, {"error": {"code": "ApplicationThrottled", "message": "Too many requests"}},
                        {"Retry-After": "12"})

    with pytest.raises(SendThrottled, match="ApplicationThrottled") as raised:
        asyncio.run(graph_sender(tmp_path, server, cert).send(reminder()))

    assert raised.value.retry_after_seconds == 12


def test_graph_500_is_a_failure_of_this_message(tmp_path: Path, provider: tuple[Provider, Path]) -> None:
    server, cert = provider
    server.send = Reply(500, {"error": {"code": "generalException", "message": "General exception"}})

    with pytest.raises(SendFailed, match="500 generalException") as raised:
        asyncio.run(graph_sender(tmp_path, server, cert).send(reminder()))

    assert type(raised.value) is SendFailed


@pytest.mark.parametrize("status", [401, 403])
def test_graph_401_or_403_is_a_configuration_error(
    tmp_path: Path, provider: tuple[Provider, Path], status: int
) -> None:
    server, cert = provider
    server.send = Reply(status, {"error": {"code": "ErrorAccessDenied", "message": "Access is denied."}})

    with pytest.raises(SenderMisconfigured, match="ErrorAccessDenied"):
        asyncio.run(graph_sender(tmp_path, server, cert).send(reminder()))


def test_graph_refuses_a_server_it_does_not_trust(tmp_path: Path, provider: tuple[Provider, Path]) -> None:
    server, _ = provider
    settings = make_settings(tmp_path, EMAIL_MODE="graph", GRAPH_SENDER="governance@example.com")
    sender = GraphSender(settings, credential=StaticToken(), base_url=f"{server.base_url}/v1.0")

    with pytest.raises(SendFailed, match="could not be reached"):
        asyncio.run(sender.send(reminder()))

    assert server.received == []


# --- Choosing the sender -----------------------------------------------------------------------

def test_email_mode_picks_the_sender(tmp_path: Path) -> None:
    acs = make_sender(make_settings(tmp_path, EMAIL_MODE="acs", ACS_ENDPOINT="https://x.communication.azure.com"))
    graph = make_sender(make_settings(tmp_path, EMAIL_MODE="graph", GRAPH_SENDER="mailbox@example.com"))

    assert isinstance(acs, AcsSender) and isinstance(graph, GraphSender)
