"""Flow 1: expiry reminders for one platform, sent in parallel under the job's lock."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from shared.db import Connection
from shared.db.per_thread import ConnectionPerThread
from shared.jobs.locked_run import JobBusy, JobContext, JobDone, WorkResult, run_locked
from shared.jobs.notification_recorder import NotificationRecorder, SentReminder
from shared.mail.message import REMINDER_7_DAYS, REMINDER_30_DAYS, reminder_message
from shared.mail.senders import EmailSender, SendFailed
from shared.platforms import JobKind, Platform
from shared.repositories.access_requests import AccessRequest, get_active_requests, notification_candidates
from shared.settings import Settings

log = logging.getLogger(__name__)

SENT_BY = "Expiry Notification Job"


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
    not_started: int = 0  # left unsent because the lock was lost
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
        report = NotificationReport()
        recorder = NotificationRecorder(connections, platform)
        limit = asyncio.Semaphore(settings.notify_max_parallel)
        started = time.perf_counter()
        await asyncio.gather(
            *(_send_one(settings, platform, sender, item, recorder, limit, context, report)
              for item in due)
        )
        report.parallel_ms = round((time.perf_counter() - started) * 1000, 1)
        return report
    finally:
        await asyncio.to_thread(connections.close_all)


async def _send_one(
    settings: Settings,
    platform: Platform,
    sender: EmailSender,
    item: PendingReminder,
    recorder: NotificationRecorder,
    limit: asyncio.Semaphore,
    context: JobContext,
    report: NotificationReport,
) -> None:
    """One reminder, with its own error handling: nothing here can affect another send."""
    request = item.request
    async with limit:
        if context.lock_lost.is_set():  # the lease is gone: start nothing new
            report.not_started += 1
            return
        assert request.expires_on is not None
        reminder = reminder_message(
            platform=platform, request_key=request.key, request_fields=request.fields,
            recipient=request.email, sender=settings.email_from, reminder_type=item.reminder_type,
            expires_on=request.expires_on, days_left=item.days_left,
        )
        started = time.perf_counter()  # the send alone: the estimated sequential time sums these
        try:
            await sender.send(reminder)
        except Exception as error:
            report.estimated_sequential_ms += (time.perf_counter() - started) * 1000
            reason = str(error) if isinstance(error, SendFailed) else f"{type(error).__name__}: {error}"
            report.failures.append(Failed(request.key, request.email, item.reminder_type, reason))
            return
        report.estimated_sequential_ms += (time.perf_counter() - started) * 1000
        try:  # only a successful send is recorded
            sent_at = await recorder.record(SentReminder(request.key, request.email, item.reminder_type, SENT_BY))
        except Exception as error:
            log.exception("reminder to %s sent but not recorded", request.email)
            report.failures.append(Failed(request.key, request.email, item.reminder_type,
                                          f"Sent, but recording it failed: {type(error).__name__}"))
            return
        report.sent.append(Sent(request.key, request.email, item.reminder_type, item.days_left, sent_at))
