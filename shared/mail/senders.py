"""Email senders. Sending is async: a simulated send awaits asyncio.sleep, an SMTP send talks to
the server with aiosmtplib, so hundreds of sends wait concurrently without tying up threads."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import aiosmtplib

from shared.mail.message import Reminder
from shared.settings import Settings

log = logging.getLogger(__name__)


class SendFailed(Exception):
    """A message was not delivered to the relay; the text is safe to show to an administrator."""


class SendThrottled(SendFailed):
    """The provider refused the message for now (HTTP 429 / Retry-After): try again after that long."""

    def __init__(self, retry_after_seconds: float) -> None:
        super().__init__(f"Throttled by the email provider (retry after {retry_after_seconds:g} s); "
                         "due again on the next run")
        self.retry_after_seconds = retry_after_seconds


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


def make_sender(settings: Settings, failures: FailureSimulation = NO_FAILURES) -> EmailSender:
    if settings.email_mode == "smtp":
        return SmtpSender(settings, failures)
    return SimulatedSender(settings.email_simulated_delay_seconds, failures)
