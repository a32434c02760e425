"""Email senders. Sending is async: a simulated send awaits asyncio.sleep, an SMTP send talks to
the server with aiosmtplib, ACS through its SDK's aio client and Graph through httpx, so hundreds
of sends wait concurrently without tying up threads.

ACS and Graph clients are made per send: a sender lives for one run, which may be on any event
loop, and sends are few (the providers allow tens a minute). What is costly is shared: one
azure-identity credential per process, whose token cache spans runs, and one TLS context per sender.
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import quote

import aiosmtplib
import httpx
from azure.communication.email.aio import EmailClient as AcsEmailClient
from azure.core.credentials import AccessToken, TokenCredential
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError

from shared.mail.message import Reminder
from shared.settings import Settings

log = logging.getLogger(__name__)


class SendFailed(Exception):
    """A message was not delivered to the relay; the text is safe to show to an administrator."""


class SendThrottled(SendFailed):
    """The provider is throttling (429, or 503 busy): nothing more should be sent for a while."""

    def __init__(self, message: str, retry_after_seconds: float) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class SenderMisconfigured(SendFailed):
    """The provider refused the service itself (401/403, or no token): every send would fail alike."""


class SendUnconfirmed(SendFailed, TimeoutError):
    """The provider took the message but did not confirm it in time: it may still be delivered, so
    the run treats it like a timed-out send (it keeps the claim, and does not send it again soon)."""


# Neither provider has to say how long to wait; this is ACS's default window (a minute).
DEFAULT_RETRY_AFTER_SECONDS = 60.0


def retry_after_seconds(value: str | None) -> float:
    """Retry-After is seconds or an HTTP date (RFC 9110)."""
    if not value:
        return DEFAULT_RETRY_AFTER_SECONDS
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER_SECONDS


def refusal(provider: str, status: int, headers: Mapping[str, str], reason: str) -> SendFailed:
    """The failure for a provider's HTTP refusal: throttled, misconfigured, or this message failed."""
    if status in (429, 503):
        wait = retry_after_seconds(headers.get("Retry-After"))
        return SendThrottled(f"{provider} is throttling ({status} {reason}); retry after {wait:g} s", wait)
    if status in (401, 403):
        return SenderMisconfigured(f"{provider} refused the service's credentials ({status} {reason}); "
                                   "check the identity's role or permission and the sender settings")
    return SendFailed(f"{provider} refused the message: {status} {reason}")


@dataclass(frozen=True)
class FailureSimulation:
    """Test mode (SPEC): fail ~50% at random, and/or fail the named addresses."""

    random_failures: bool = False
    fail_emails: frozenset[str] = frozenset()
    rng: random.Random = field(default_factory=random.Random, compare=False)

    @classmethod
    def of(cls, random_failures: bool, fail_emails: Iterable[str]) -> FailureSimulation:
        return cls(random_failures, frozenset(e.strip().lower() for e in fail_emails if e.strip()))

    def failure_for(self, recipient: str) -> str | None:
        if recipient.lower() in self.fail_emails:
            return f"Simulated failure for {recipient}"
        if self.random_failures and self.rng.randrange(2) == 0:
            return "Simulated random failure"
        return None


NO_FAILURES = FailureSimulation()


class EmailSender(Protocol):
    # The longest one send may take: the run starts a send only if it can end inside the lock's
    # lease, and stops waiting for it after this long.
    timeout_seconds: float

    async def send(self, reminder: Reminder) -> None:
        """Deliver the reminder or raise (SendFailed or any other exception)."""


class SimulatedSender:
    """Waits as long as a real send might (SPEC: 10 s), then succeeds unless told to fail."""

    def __init__(self, delay_seconds: float, failures: FailureSimulation = NO_FAILURES) -> None:
        self.delay_seconds = delay_seconds
        self.failures = failures
        self.timeout_seconds = delay_seconds + 1.0  # the delay, and room for a busy event loop

    async def send(self, reminder: Reminder) -> None:
        await asyncio.sleep(self.delay_seconds)
        reason = self.failures.failure_for(reminder.recipient)
        if reason:
            raise SendFailed(reason)
        log.info("simulated email to %s: %s", reminder.recipient, reminder.subject)


class SmtpSender:
    """A real SMTP relay: STARTTLS and login when configured; the password is never logged."""

    def __init__(self, settings: Settings, failures: FailureSimulation = NO_FAILURES) -> None:
        self.settings = settings
        self.failures = failures
        self.timeout_seconds = settings.smtp_timeout_seconds

    async def send(self, reminder: Reminder) -> None:
        reason = self.failures.failure_for(reminder.recipient)
        if reason:
            raise SendFailed(reason)
        s = self.settings
        try:
            await aiosmtplib.send(
                reminder.to_mime(),
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username or None,
                password=s.smtp_password or None,
                start_tls=s.smtp_starttls,
                timeout=s.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPResponseException as error:
            raise SendFailed(f"SMTP server refused the message: {error.code} {error.message}") from None
        except (aiosmtplib.SMTPException, OSError) as error:
            raise SendFailed(f"SMTP delivery failed: {type(error).__name__}: {error}") from None


@lru_cache(maxsize=1)
def azure_credential() -> TokenCredential:
    """The app's identity (managed identity in Azure; developer sign-ins locally), one per process so
    its token cache is shared by every run. Sync: its rare token requests run in a thread."""
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()


class OffLoopCredential:
    """An async credential for the ACS aio client over a sync one, asking it in a thread: the sync
    credential belongs to no event loop, so one can serve every run."""

    def __init__(self, credential: TokenCredential) -> None:
        self.credential = credential

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return await asyncio.to_thread(self.credential.get_token, *scopes, **kwargs)

    async def close(self) -> None:
        """The sync credential outlives the client: nothing to close."""

    async def __aenter__(self) -> OffLoopCredential:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def _token_failure(provider: str, error: ClientAuthenticationError) -> SenderMisconfigured:
    first_line = (error.message or type(error).__name__).splitlines()[0]
    return SenderMisconfigured(f"No token for {provider}: {first_line}")


class AcsSender:
    """Azure Communication Services Email: `begin_send` queues the message and returns a poller; the
    reminder counts as sent only when the operation ends Succeeded."""

    def __init__(self, settings: Settings, failures: FailureSimulation = NO_FAILURES, *,
                 credential: TokenCredential | None = None, operation_timeout_seconds: float = 60.0,
                 polling_interval_seconds: float = 1.0, client_options: Mapping[str, Any] | None = None) -> None:
        self.settings = settings
        self.failures = failures
        self.credential = credential
        self.operation_timeout_seconds = operation_timeout_seconds
        self.polling_interval_seconds = polling_interval_seconds
        # No retries inside the SDK: a 429 must reach the run, which paces the whole run by it.
        self.client_options = {"retry_total": 0, **(client_options or {})}
        self.timeout_seconds = operation_timeout_seconds + 5.0  # the queueing request, and the poll

    def _client(self) -> AcsEmailClient:
        s = self.settings
        if s.acs_endpoint:  # the managed identity: no secret in the settings
            credential = OffLoopCredential(self.credential or azure_credential())
            return AcsEmailClient(s.acs_endpoint, credential, **self.client_options)  # type: ignore[arg-type]
        return AcsEmailClient.from_connection_string(s.acs_connection_string, **self.client_options)

    async def send(self, reminder: Reminder) -> None:
        reason = self.failures.failure_for(reminder.recipient)
        if reason:
            raise SendFailed(reason)
        message = {
            "senderAddress": reminder.sender,
            "recipients": {"to": [{"address": reminder.recipient}]},
            "content": {"subject": reminder.subject, "plainText": reminder.text, "html": reminder.html},
            "userEngagementTrackingDisabled": True,  # no tracking pixel or rewritten links
        }
        try:
            async with self._client() as client:
                poller = await client.begin_send(message, polling_interval=self.polling_interval_seconds)
                try:
                    async with asyncio.timeout(self.operation_timeout_seconds):
                        result = await poller.result()
                except TimeoutError:
                    raise SendUnconfirmed(f"ACS had not finished sending within {self.operation_timeout_seconds:g} s "
                                          f"(status {poller.status()}); it may still be delivered") from None
        except SendUnconfirmed:  # a TimeoutError, so an OSError: not "could not be reached"
            raise
        except HttpResponseError as error:  # a credential's ClientAuthenticationError, too
            raise _acs_failure(error) from None
        except (ServiceRequestError, OSError) as error:
            raise SendFailed(f"ACS could not be reached: {type(error).__name__}: {error}") from None
        status = result.get("status") if isinstance(result, dict) else None
        if status != "Succeeded":
            raise SendFailed(f"ACS send ended {status}: {_acs_error_text(result)}")


def _acs_error_text(result: object) -> str:
    error = result.get("error") if isinstance(result, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code')}: {error.get('message')}"
    return "no reason given"


def _acs_failure(error: HttpResponseError) -> SendFailed:
    detail = error.error
    reason = f"{detail.code}: {detail.message}" if detail and (detail.code or detail.message) else error.reason
    if isinstance(error, ClientAuthenticationError) and error.status_code is None:  # from the credential
        return _token_failure("Azure Communication Services", error)
    if error.status_code is None or error.status_code < 300:  # the poll answered: the operation ended Failed
        return SendFailed(f"ACS could not send the message: {reason or error.message}")
    headers: Mapping[str, str] = getattr(error.response, "headers", {})
    return refusal("ACS", error.status_code, headers, reason or "")


GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class GraphSender:
    """Microsoft Graph `sendMail` as the GRAPH_SENDER mailbox, over httpx: one POST with a bearer
    token is all it takes, which msgraph-sdk would wrap in a large generated client and its own
    HTTP stack. Graph's message has one body: the HTML one (its text twin says the same); the
    mailbox sends as itself (EMAIL_FROM is not used: another From needs Send As rights)."""

    def __init__(self, settings: Settings, failures: FailureSimulation = NO_FAILURES, *,
                 credential: TokenCredential | None = None, base_url: str = GRAPH_BASE_URL,
                 ssl_context: ssl.SSLContext | None = None, timeout_seconds: float = 30.0) -> None:
        self.settings = settings
        self.failures = failures
        self.credential = credential
        self.base_url = base_url.rstrip("/")
        self.ssl_context = ssl_context or ssl.create_default_context()  # once: building one takes ms
        self.timeout_seconds = timeout_seconds

    async def send(self, reminder: Reminder) -> None:
        reason = self.failures.failure_for(reminder.recipient)
        if reason:
            raise SendFailed(reason)
        credential = self.credential or azure_credential()
        try:
            token = await asyncio.to_thread(credential.get_token, GRAPH_SCOPE)
        except ClientAuthenticationError as error:
            raise _token_failure("Microsoft Graph", error) from None
        body = {
            "message": {
                "subject": reminder.subject,
                "body": {"contentType": "HTML", "content": reminder.html},
                "toRecipients": [{"emailAddress": {"address": reminder.recipient}}],
            },
            "saveToSentItems": False,
        }
        url = f"{self.base_url}/users/{quote(self.settings.graph_sender.strip(), safe='@')}/sendMail"
        try:
            async with httpx.AsyncClient(verify=self.ssl_context, timeout=self.timeout_seconds) as client:
                response = await client.post(url, json=body, headers={"Authorization": f"Bearer {token.token}"})
        except httpx.HTTPError as error:
            raise SendFailed(f"Microsoft Graph could not be reached: {type(error).__name__}: {error}") from None
        if response.status_code != 202:
            raise refusal("Microsoft Graph", response.status_code, response.headers, _graph_reason(response))


def _graph_reason(response: httpx.Response) -> str:
    try:
        error = response.json()["error"]
        return f"{error['code']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        return response.reason_phrase


def make_sender(settings: Settings, failures: FailureSimulation = NO_FAILURES) -> EmailSender:
    if settings.email_mode == "smtp":
        return SmtpSender(settings, failures)
    if settings.email_mode == "acs":
        return AcsSender(settings, failures)
    if settings.email_mode == "graph":
        return GraphSender(settings, failures)
    return SimulatedSender(settings.email_simulated_delay_seconds, failures)
