"""Flow 1: expiry reminders for one platform, sent in parallel under the job's lock."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from shared.db import Connection
from shared.db.group_commit import GroupCommit
from shared.db.per_thread import ConnectionPerThread
from shared.jobs.locked_run import JobBusy, JobContext, JobDone, LockLost, WorkResult, run_locked
from shared.mail.message import REMINDER_7_DAYS, REMINDER_30_DAYS, reminder_message
from shared.mail.senders import EmailSender, SenderMisconfigured, SendFailed
from shared.mail.templates import message_templates
from shared.platforms import JobKind, Platform
from shared.repositories.access_requests import (
    AccessRequest,
    RequestKey,
    get_active_requests,
    notification_candidates,
    record_notification,
)
from shared.repositories.reminder_claims import release_claim, take_claim
from shared.settings import Settings

log = logging.getLogger(__name__)

SENT_BY = "Expiry Notification Job"
OUTSIDE_ALLOWED_DOMAINS = "Not sent: the address is outside EMAIL_ALLOWED_DOMAINS"


def reminder_due(notification_count: int, days_left: int | None) -> str | None:
    """SPEC step 3: none sent → 30-day; one sent and ≤ 7 days left → 7-day; otherwise nothing."""
    if days_left is None or not 0 <= days_left <= 30:
        return None
    if notification_count == 0:
        return REMINDER_30_DAYS
    if notification_count == 1 and days_left <= 7:
        return REMINDER_7_DAYS
    return None


@dataclass(frozen=True)
class PendingReminder:
    request: AccessRequest
    reminder_type: str
    days_left: int


def pending_reminders(conn: Connection, platform: Platform) -> list[PendingReminder]:
    """SPEC steps 2 and 3: the candidates, the reminder each is due, and the details of those due.

    The candidate query reads little more than the (Status, expiry) index; the email and the
    request's own fields are read only for the requests that are due, usually a small part of the
    candidates (most have had the reminder for their stage already). A request revoked in between
    is left out.
    """
    decided = ((c, reminder_due(c.notification_count, c.days_left)) for c in notification_candidates(conn, platform))
    due = [(candidate, reminder) for candidate, reminder in decided if reminder]
    requests = get_active_requests(conn, platform, [candidate.key for candidate, _ in due])
    return [PendingReminder(requests[c.key], reminder, c.days_left) for c, reminder in due if c.key in requests]


@dataclass(frozen=True)
class Sent:
    request_key: object
    email: str
    reminder_type: str
    days_left: int
    sent_at: datetime


@dataclass(frozen=True)
class Failed:
    request_key: object
    email: str
    reminder_type: str
    error: str


@dataclass
class NotificationReport:
    sent: list[Sent] = field(default_factory=list)
    failures: list[Failed] = field(default_factory=list)
    not_started: int = 0  # left for the next run: the lease was lost or too short, or no claim
    parallel_ms: float = 0.0
    estimated_sequential_ms: float = 0.0  # the sum of the individual sends' times

    @property
    def speedup(self) -> float:
        return round(self.estimated_sequential_ms / self.parallel_ms, 2) if self.parallel_ms else 0.0


async def run_notification_job(
    settings: Settings, platform: Platform, sender: EmailSender, *, started_by: str
) -> JobDone[NotificationReport] | JobBusy:
    async def work(context: JobContext) -> WorkResult[NotificationReport]:
        report = await send_reminders(settings, platform, sender, context)
        return WorkResult(report, processed=len(report.sent), failed=len(report.failures))

    return await run_locked(settings, platform.job_type(JobKind.NOTIFICATION), started_by, work)


async def send_reminders(
    settings: Settings, platform: Platform, sender: EmailSender, context: JobContext
) -> NotificationReport:
    connections = ConnectionPerThread(settings)
    try:
        due = await asyncio.to_thread(lambda: pending_reminders(connections.get(), platform))
        run = ReminderRun(settings, platform, sender, context, GroupCommit(connections))
        limit = asyncio.Semaphore(settings.notify_max_parallel)
        started = time.perf_counter()
        await asyncio.gather(*(run.send_one(item, limit) for item in due))
        run.report.parallel_ms = round((time.perf_counter() - started) * 1000, 1)
        return run.report
    finally:
        await asyncio.to_thread(connections.close_all)


class ReminderRun:
    """One run's sends. Each reminder is claimed, sent and recorded on its own: nothing that happens
    to one send can affect another."""

    def __init__(self, settings: Settings, platform: Platform, sender: EmailSender, context: JobContext,
                 writes: GroupCommit) -> None:
        self.settings = settings
        self.platform = platform
        self.sender = sender
        self.context = context
        self.writes = writes
        self.report = NotificationReport()
        self.templates = message_templates(settings.email_templates_dir)
        # A sender refused for its configuration (401/403) fails every send alike: the run reports
        # it once, leaves the rest for the next run, and starts no more sends.
        self.misconfigured: SenderMisconfigured | None = None
        # A claim outlasts the send and its recording: the statement timeout bounds each attempt
        # to record, and recording is tried twice (a dead connection is reopened once).
        self.claim_seconds = sender.timeout_seconds + 2 * settings.sql_query_timeout_seconds

    async def send_one(self, item: PendingReminder, limit: asyncio.Semaphore) -> None:
        request, context = item.request, self.context
        if not self.settings.email_allowed(request.email):  # e.g. a row from before the setting was set
            log.warning("reminder for %s not sent: %s is outside EMAIL_ALLOWED_DOMAINS", request.key, request.email)
            self.report.failures.append(Failed(request.key, request.email, item.reminder_type,
                                               OUTSIDE_ALLOWED_DOMAINS))
            return
        async with limit:
            if self.misconfigured is not None or not context.can_start(self.sender.timeout_seconds):
                self.report.not_started += 1
                return
            if not await self._claim(item):
                return
            if not context.can_start(self.sender.timeout_seconds):  # the claim may have waited long
                self.report.not_started += 1
                await self._release(request.key)
                return
            assert request.expires_on is not None
            reminder = reminder_message(
                platform=self.platform, request_key=request.key, request_fields=request.fields,
                recipient=request.email, sender=self.settings.email_from, reminder_type=item.reminder_type,
                expires_on=request.expires_on, days_left=item.days_left,
                templates=self.templates, public_base_url=self.settings.public_base_url,
            )
            started = time.perf_counter()  # the send alone: the estimated sequential time sums these
            try:
                await asyncio.wait_for(self.sender.send(reminder), self.sender.timeout_seconds)
            except Exception as error:
                self.report.estimated_sequential_ms += (time.perf_counter() - started) * 1000
                if isinstance(error, SenderMisconfigured) and not self._first_misconfiguration(error):
                    self.report.not_started += 1
                    await self._release(request.key)
                    return
                self.report.failures.append(Failed(request.key, request.email, item.reminder_type,
                                                   _send_error(error, self.sender.timeout_seconds)))
                if not isinstance(error, TimeoutError):  # a timed-out send may yet arrive: keep the claim
                    await self._release(request.key)
                return
            self.report.estimated_sequential_ms += (time.perf_counter() - started) * 1000
        await self._record(item)

    def _first_misconfiguration(self, error: SenderMisconfigured) -> bool:
        if self.misconfigured is not None:
            return False
        log.error("the email sender is misconfigured; no more reminders this run: %s", error)
        self.misconfigured = error
        return True

    async def _claim(self, item: PendingReminder) -> bool:
        """Claim the request inside a fenced transaction; False (and counted) when not to send it."""
        context, key = self.context, item.request.key

        def claim(conn: Connection) -> bool:
            context.fence(conn)
            return take_claim(conn, self.platform, context.job_id, key, item.reminder_type,
                              seconds=self.claim_seconds)

        try:
            if await self.writes.run(claim):
                return True
            log.info("reminder for %s not sent: another run claimed or recorded it", key)
            return False
        except LockLost:
            context.lock_lost.set()
        except Exception:
            log.warning("could not claim %s; left for the next run", key, exc_info=True)
        self.report.not_started += 1
        return False

    async def _release(self, key: RequestKey) -> None:
        try:
            await self.writes.run(lambda conn: release_claim(conn, self.platform, self.context.job_id, key))
        except Exception:  # the claim then expires by itself
            log.warning("could not release the claim on %s", key, exc_info=True)

    async def _record(self, item: PendingReminder) -> None:
        """Only a successful send is recorded; its claim goes in the same transaction."""
        request, job_id = item.request, self.context.job_id

        def record(conn: Connection) -> datetime:
            sent_at = record_notification(conn, self.platform, request.key, sent_to=request.email,
                                          sent_by=SENT_BY, reminder_type=item.reminder_type)
            release_claim(conn, self.platform, job_id, request.key)
            return sent_at

        try:
            sent_at = await self.writes.run(record)
        except Exception as error:
            log.exception("reminder to %s sent but not recorded", request.email)
            self.report.failures.append(Failed(request.key, request.email, item.reminder_type,
                                               f"Sent, but recording it failed: {type(error).__name__}"))
            return
        self.report.sent.append(Sent(request.key, request.email, item.reminder_type, item.days_left, sent_at))


def _send_error(error: Exception, timeout: float) -> str:
    if isinstance(error, SendFailed):
        return str(error)
    if isinstance(error, TimeoutError):
        return f"The send did not finish within {timeout:g} s; it may still be delivered"
    return f"{type(error).__name__}: {error}"
