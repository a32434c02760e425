"""Flow 1: expiry reminders for one platform, sent in parallel under the job's lock."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.db import Connection
from shared.db.group_commit import GroupCommit
from shared.db.per_thread import ConnectionPerThread
from shared.jobs.locked_run import JobBusy, JobContext, JobDone, LockLost, Work, WorkResult, run_locked
from shared.mail.message import REMINDER_7_DAYS, REMINDER_30_DAYS, Reminder, reminder_message
from shared.mail.rate import WINDOW_SECONDS, SendRate
from shared.mail.senders import EmailSender, SenderMisconfigured, SendFailed, SendThrottled
from shared.mail.templates import message_templates
from shared.platforms import JobKind, Platform
from shared.repositories.access_requests import (
    AccessRequest,
    get_active_requests,
    notification_candidates,
    record_notification,
)
from shared.repositories.job_items import Outcome, record_item
from shared.repositories.reminder_claims import release_claim, take_claim
from shared.settings import Settings
from shared.telemetry import record_send, record_throttled

log = logging.getLogger(__name__)

SENT_BY = "Expiry Notification Job"
START_STEP = 100  # sends started per turn of the event loop
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
    request_label: str | None = None  # read back with the run's records (GET /{p}/jobs/{jobId})


@dataclass(frozen=True)
class Failed:
    request_key: object
    email: str
    reminder_type: str
    error: str
    request_label: str | None = None  # read back with the run's records


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


def notification_work(
    settings: Settings, platform: Platform, sender: EmailSender, *, rate_window_seconds: float = WINDOW_SECONDS
) -> Work[NotificationReport]:
    """Flow 1 as a locked run's work, wherever the run executes."""

    async def work(context: JobContext) -> WorkResult[NotificationReport]:
        rate = SendRate(settings.email_max_per_minute, rate_window_seconds)
        report = await send_reminders(settings, platform, sender, context, rate)
        return WorkResult(report, processed=len(report.sent), failed=len(report.failures),
                          not_started=report.not_started)

    return work


async def run_notification_job(
    settings: Settings, platform: Platform, sender: EmailSender, *, started_by: str
) -> JobDone[NotificationReport] | JobBusy:
    return await run_locked(settings, platform.job_type(JobKind.NOTIFICATION), started_by,
                            notification_work(settings, platform, sender))


async def send_reminders(
    settings: Settings, platform: Platform, sender: EmailSender, context: JobContext, rate: SendRate
) -> NotificationReport:
    # JOB_MAX_RUN_SECONDS counts from here: no send starts after it (on the lease's clock).
    deadline = context.lease.now() + settings.job_max_run_seconds
    connections = ConnectionPerThread(settings)
    try:
        due = await asyncio.to_thread(lambda: pending_reminders(connections.get(), platform))
        run = ReminderRun(settings, platform, sender, context, GroupCommit(connections), rate, deadline)
        limit = asyncio.Semaphore(settings.notify_max_parallel)
        started = time.perf_counter()
        await asyncio.gather(*await _started_in_steps(run.send_one(item, limit) for item in due))
        run.report.parallel_ms = round((time.perf_counter() - started) * 1000, 1)
        return run.report
    finally:
        await asyncio.to_thread(connections.close_all)


async def _started_in_steps(sends: Iterable[Coroutine[Any, Any, None]]) -> list[asyncio.Task[None]]:
    """The sends as tasks, letting the event loop turn after every STEP of them: each task's first
    step runs at once, and ten thousand in one turn would hold up the loop's other work (an HTTP
    request answered by the same worker) for a good part of a second."""
    tasks: list[asyncio.Task[None]] = []
    try:
        for send in sends:
            tasks.append(asyncio.create_task(send))
            if len(tasks) % START_STEP == 0:
                await asyncio.sleep(0)
    except BaseException:  # cancelled while starting: none of them may outlive the run
        for task in tasks:
            task.cancel()
        raise
    return tasks


class ReminderRun:
    """One run's sends. Each reminder is claimed, sent and recorded on its own: nothing that happens
    to one send can affect another."""

    def __init__(self, settings: Settings, platform: Platform, sender: EmailSender, context: JobContext,
                 writes: GroupCommit, rate: SendRate, deadline: float) -> None:
        self.settings = settings
        self.rate = rate
        self.deadline = deadline  # of the run's time budget, JOB_MAX_RUN_SECONDS
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
        request = item.request
        if not self.settings.email_allowed(request.email):  # e.g. a row from before the setting was set
            log.warning("reminder for %s not sent: %s is outside EMAIL_ALLOWED_DOMAINS", request.key, request.email)
            await self._fail(item, OUTSIDE_ALLOWED_DOMAINS)
            return
        async with limit:
            # Inside the run's time budget, once the send rate gives a turn
            if self.misconfigured is not None or not await self._take_turn():
                await self._not_started(item)
                return
            sent = await self._claim_and_send(item)
        if sent is not None:
            await self._record(item, sent)

    async def _claim_and_send(self, item: PendingReminder) -> float | None:
        """Claim, send (holding the rate's turn); the send's ms once sent, else None (the outcome
        recorded)."""
        request, context = item.request, self.context
        if not context.can_start(self.sender.timeout_seconds):  # the lease is gone or too short
            await self.rate.give_back()
            await self._not_started(item)
            return None
        if not await self._claim(item):
            await self.rate.give_back()
            return None
        if not context.can_start(self.sender.timeout_seconds):  # the claim may have waited long
            await self.rate.give_back()
            await self._not_started(item, release=True)
            return None
        assert request.expires_on is not None
        reminder = reminder_message(
            platform=self.platform, request_key=request.key, request_fields=request.fields,
            recipient=request.email, sender=self.settings.email_from, reminder_type=item.reminder_type,
            expires_on=request.expires_on, days_left=item.days_left,
            templates=self.templates, public_base_url=self.settings.public_base_url,
        )
        started = time.perf_counter()  # the send alone: the estimated sequential time sums these
        try:
            await self._send(reminder)
        except Exception as error:
            send_ms = (time.perf_counter() - started) * 1000
            self.report.estimated_sequential_ms += send_ms
            record_send(send_ms / 1000, error)
            if isinstance(error, SenderMisconfigured) and not self._first_misconfiguration(error):
                await self._not_started(item, release=True)  # reported once, as the run's first
                return None
            # A timed-out send may yet arrive: its claim is kept
            await self._fail(item, _send_error(error, self.sender.timeout_seconds), send_ms=send_ms,
                             release=not isinstance(error, TimeoutError))
            return None
        send_ms = (time.perf_counter() - started) * 1000
        self.report.estimated_sequential_ms += send_ms
        record_send(send_ms / 1000, None)
        return send_ms

    async def _take_turn(self) -> bool:
        """Whether a send may start: inside the run's time budget, once the send rate gives a turn."""
        return self.context.lease.now() < self.deadline and await self.rate.take_turn(self.deadline)

    async def _send(self, reminder: Reminder) -> None:
        """Send on the turn taken; a throttled send is tried again after the provider's Retry-After
        while that is inside the run's time budget, on a new turn (else it fails, and the request
        stays due)."""
        timeout = self.sender.timeout_seconds
        while True:
            await self.rate.started()
            try:
                await asyncio.wait_for(self.sender.send(reminder), timeout)
                return
            except SendThrottled as throttled:
                record_throttled()
                wait = throttled.retry_after_seconds
                if self.context.lease.now() + wait >= self.deadline:
                    raise
                log.info("send to %s throttled; trying again in %g s", reminder.recipient, wait)
                await asyncio.sleep(wait)
                if not await self._take_turn():
                    raise
                if not self.context.can_start(timeout):
                    await self.rate.give_back()
                    raise

    async def _fail(self, item: PendingReminder, error: str, *, send_ms: float | None = None,
                    release: bool = False) -> None:
        request = item.request
        self.report.failures.append(Failed(request.key, request.email, item.reminder_type, error))
        await self._outcome(item, "Failed", error, send_ms=send_ms, release=release)

    async def _not_started(self, item: PendingReminder, *, release: bool = False) -> None:
        self.report.not_started += 1
        await self._outcome(item, "NotStarted", None, release=release)

    async def _outcome(self, item: PendingReminder, outcome: Outcome, detail: str | None, *,
                       send_ms: float | None = None, release: bool = False) -> None:
        """The outcome record of a send that was not recorded as sent, with the claim's release."""
        request, job_id = item.request, self.context.job_id

        def write(conn: Connection) -> None:
            if release:
                release_claim(conn, self.platform, job_id, request.key)
            record_item(conn, job_id, request.key, email=request.email, action=item.reminder_type,
                        outcome=outcome, detail=detail, days_left=item.days_left, send_ms=send_ms)

        try:
            await self.writes.run(write)
        except Exception:  # the report still has it; a claim not released expires by itself
            log.warning("could not record the outcome (%s) for %s", outcome, request.key, exc_info=True)

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
            context.fence_once(conn)
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
        await self._not_started(item)
        return False

    async def _record(self, item: PendingReminder, send_ms: float) -> None:
        """Only a successful send is recorded; its claim and its outcome record go in the same transaction."""
        request, job_id = item.request, self.context.job_id

        def record(conn: Connection) -> datetime:
            sent_at = record_notification(conn, self.platform, request.key, sent_to=request.email,
                                          sent_by=SENT_BY, reminder_type=item.reminder_type)
            release_claim(conn, self.platform, job_id, request.key)
            record_item(conn, job_id, request.key, email=request.email, action=item.reminder_type,
                        outcome="Sent", days_left=item.days_left, send_ms=send_ms)
            return sent_at

        try:
            sent_at = await self.writes.run(record)
        except Exception as error:
            log.exception("reminder to %s sent but not recorded", request.email)
            await self._fail(item, f"Sent, but recording it failed: {type(error).__name__}", send_ms=send_ms)
            return
        self.report.sent.append(Sent(request.key, request.email, item.reminder_type, item.days_left, sent_at))


def _send_error(error: Exception, timeout: float) -> str:
    if isinstance(error, SendFailed):
        return str(error)
    if isinstance(error, TimeoutError):
        return f"The send did not finish within {timeout:g} s; it may still be delivered"
    return f"{type(error).__name__}: {error}"
