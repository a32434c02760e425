"""Job endpoints: run a job, its lock status, and recent runs of the platform's jobs."""

from __future__ import annotations

import logging
import uuid

import azure.functions as func

from shared import joblock
from shared.db import Connection
from shared.db.in_thread import in_db
from shared.http.call import Call, json_response
from shared.http.models import (
    ActiveJob,
    FailedNotification,
    JobRunDetail,
    JobRunItem,
    JobsQuery,
    JobStarted,
    JobStatus,
    NotificationJobResult,
    NotificationRunQuery,
    Performance,
    RevokedRequest,
    RevokeJobResult,
    SentNotification,
)
from shared.http.problems import ApiError
from shared.jobs.locked_run import JobBusy, JobDone, crash_error_id, lost_its_lock
from shared.jobs.notifications import Failed, NotificationReport, Sent
from shared.jobs.queue import QueueNotConfigured
from shared.jobs.revoke import RevokeReport
from shared.jobs.runs import start_run, wait_for_end
from shared.mail.senders import FailureSimulation
from shared.platforms import JobKind, KeyKind, Platform
from shared.repositories.job_items import JobItem, job_items

log = logging.getLogger(__name__)

LOCK_LOST = (" The job lost its lock part-way (its lease could not be extended in time, or another instance"
             " reclaimed it); see the job history.")


def active_job(job: joblock.JobRun | None) -> ActiveJob | None:
    if job is None:
        return None
    return ActiveJob(jobId=job.job_id, jobType=job.job_type, startedAt=job.started_at, startedBy=job.started_by)


def busy(outcome: JobBusy) -> ApiError:
    active = active_job(outcome.active)
    if active is None:
        return ApiError(409, "The job was running and has just finished; try again.", activeJob=None)
    started = active.startedAt.isoformat(timespec="seconds").replace("+00:00", "Z")
    return ApiError(409, f"{active.jobType} is already running: started by {active.startedBy} at {started}.",
                    activeJob=active.model_dump(mode="json"))


def log_trigger(call: Call, kind: JobKind) -> None:
    """Who asked for a run: JobRun.Started_By names the server, the log names the person."""
    who = call.principal.name if call.principal else "unknown"
    log.info("%s requested by %s", call.platform.job_type(kind), who)


async def job_status(call: Call, kind: JobKind) -> func.HttpResponse:
    job_type = call.platform.job_type(kind)
    timeout = call.settings.job_lock_timeout_seconds
    job = await in_db(call.settings, lambda conn: joblock.get_active_job(conn, job_type, timeout_seconds=timeout))
    return json_response(JobStatus(isLocked=job is not None, activeJob=active_job(job)))


async def notification_job_status(call: Call) -> func.HttpResponse:
    return await job_status(call, JobKind.NOTIFICATION)


async def revoke_job_status(call: Call) -> func.HttpResponse:
    return await job_status(call, JobKind.REVOKE)


async def send_expiry_notifications(call: Call) -> func.HttpResponse:
    query = call.query(NotificationRunQuery)
    if (query.simulateFailures or query.failEmail) and not call.settings.allow_test_simulation:
        raise ApiError(400, "simulateFailures and failEmail are honoured only in test mode "
                            "(ALLOW_TEST_SIMULATION=true).")
    return await start_and_answer(call, JobKind.NOTIFICATION,
                                  FailureSimulation.of(query.simulateFailures, query.failEmail))


async def revoke_expired(call: Call) -> func.HttpResponse:
    return await start_and_answer(call, JobKind.REVOKE, None)


async def start_and_answer(call: Call, kind: JobKind, simulation: FailureSimulation | None) -> func.HttpResponse:
    """DESIGN section 5 (R2): start the run on the queue, wait up to JOB_SYNC_WAIT_SECONDS for it
    (none with `Prefer: respond-async`), then 200 with the run's result, or 202 pointing at it."""
    log_trigger(call, kind)
    requested_by = call.principal.name if call.principal else "unknown"
    try:
        started = await start_run(call.settings, call.platform, kind, requested_by=requested_by,
                                  simulation=simulation)
    except QueueNotConfigured as error:
        raise ApiError(503, f"The job queue is not configured: {error}.") from None
    if isinstance(started, JobBusy):
        raise busy(started)
    wait = 0.0 if respond_async(call.req) else call.settings.job_sync_wait_seconds
    # No wait asked for: the 202 at once, without reading a run that has only just been queued
    job = await wait_for_end(call.settings, started.job_id, wait) if wait > 0 else None
    if job is None:
        status_url = f"/api/{call.platform.name}/jobs/{started.job_id}"
        return json_response(JobStarted(message=f"{call.platform.job_type(kind)} started; it runs in the background.",
                                        jobId=started.job_id, status="InProgress", statusUrl=status_url),
                             status=202, headers={"Location": status_url})
    error_id = crash_error_id(job)
    if error_id is not None:  # its traceback is logged under the id stored in its JobRun row
        raise ApiError(500, f"The job failed and was marked Failed. Error id {error_id}.",
                       errorId=error_id, jobId=job.job_id)
    items = await in_db(call.settings, lambda conn: job_items(conn, call.platform, started.job_id))
    result = run_result(call.platform, job, items)
    assert result is not None
    return json_response(result)


def respond_async(req: func.HttpRequest) -> bool:
    """RFC 7240: `Prefer: respond-async` (among other preferences, each with optional parameters)."""
    preferences = (req.headers.get("prefer") or "").split(",")
    return any(p.split(";")[0].strip().lower() == "respond-async" for p in preferences)


def run_result(
    platform: Platform, job: joblock.JobRun, items: list[JobItem]
) -> NotificationJobResult | RevokeJobResult | None:
    """The body the run's 200 carries, rebuilt from its outcome records; None while it runs."""
    if job.status == "InProgress":
        return None
    lock_lost = lost_its_lock(job)
    if job.job_type == platform.job_type(JobKind.REVOKE):
        revoked = [i for i in items if i.outcome == "Revoked"]
        stopped = lock_lost and not revoked
        # The cutoff is each revocation's time; a run that revoked nothing reports when it ended, as
        # the synchronous 200 always carried a time (DESIGN: no earlier field changes).
        revoked_at = revoked[0].at if revoked else None if stopped else job.completed_at
        report = RevokeReport(len(revoked), revoked_at, stopped_for_lost_lock=stopped)
        listed = [RevokedRequest(requestId=request_key(platform, i.request_key), requestLabel=i.request_label,
                                 email=i.email or "") for i in revoked]
        return revoke_result(JobDone(job.job_id, report, lock_lost), listed)
    return notification_result(JobDone(job.job_id, notification_report(platform, items), lock_lost))


def notification_report(platform: Platform, items: list[JobItem]) -> NotificationReport:
    report = NotificationReport()
    sends = [i for i in items if i.send_ms is not None]
    for item in items:
        key = request_key(platform, item.request_key)
        if item.outcome == "Sent":
            report.sent.append(Sent(key, item.email or "", item.action, item.days_left or 0, item.at,
                                    item.request_label))
        elif item.outcome == "Failed":
            report.failures.append(Failed(key, item.email or "", item.action, item.detail or "",
                                          item.request_label))
        elif item.outcome == "NotStarted":
            report.not_started += 1
    if sends:
        # From the first send's start to the last one's end, each end being when it was written down.
        first = min(i.at.timestamp() * 1000 - (i.send_ms or 0) for i in sends)
        report.parallel_ms = round(max(i.at.timestamp() * 1000 for i in sends) - first, 1)
        report.estimated_sequential_ms = float(sum(i.send_ms or 0 for i in sends))
    return report


def request_key(platform: Platform, text: str) -> int | str:
    # Stored as text; SQL Server writes a UNIQUEIDENTIFIER in capitals, the API shows lower case.
    return int(text) if platform.key_kind is KeyKind.INTEGER else text.lower()


def notification_result(outcome: JobDone[NotificationReport]) -> NotificationJobResult:
    report = outcome.value
    attempted = len(report.sent) + len(report.failures)
    if attempted == 0 and not outcome.lock_lost:
        message = "No requests need an expiry reminder right now."
    else:
        message = f"Sent {len(report.sent)} of {attempted} expiry reminders"
        message += f"; {len(report.failures)} failed." if report.failures else "."
    if outcome.lock_lost:
        message += LOCK_LOST
    if report.not_started:
        message += f" {report.not_started} reminders were not started; they are due again on the next run."
    return NotificationJobResult(
        message=message,
        jobId=outcome.job_id,
        notifiedCount=len(report.sent),
        failedCount=len(report.failures),
        notifications=[SentNotification(requestId=s.request_key, requestLabel=s.request_label,  # type: ignore[arg-type]
                                        email=s.email, reminderType=s.reminder_type, daysLeft=s.days_left,
                                        sentAt=s.sent_at) for s in report.sent],
        failures=[FailedNotification(requestId=f.request_key, requestLabel=f.request_label,  # type: ignore[arg-type]
                                     email=f.email, reminderType=f.reminder_type, error=f.error)
                  for f in report.failures],
        performance=Performance(parallelMs=round(report.parallel_ms, 1),
                                estimatedSequentialMs=round(report.estimated_sequential_ms, 1),
                                speedup=report.speedup),
        lockLost=outcome.lock_lost,
        notStarted=report.not_started,
    )


def revoke_result(outcome: JobDone[RevokeReport], revoked: list[RevokedRequest]) -> RevokeJobResult:
    report = outcome.value
    if report.stopped_for_lost_lock:
        message = "Nothing was revoked." + LOCK_LOST
    elif report.revoked_count == 0:
        message = "No expired requests found to revoke."
    else:
        message = f"Revoked {report.revoked_count} expired request{'s' if report.revoked_count != 1 else ''}."
        if outcome.lock_lost:
            message += LOCK_LOST
    return RevokeJobResult(message=message, jobId=outcome.job_id, revokedCount=report.revoked_count,
                           revokedAt=report.revoked_at, lockLost=outcome.lock_lost, revoked=revoked)


async def recent_jobs(call: Call) -> func.HttpResponse:
    query = call.query(JobsQuery)
    types = call.platform.job_types
    assert len(types) == 2
    runs = await in_db(call.settings, lambda conn: joblock.recent_jobs(
        conn, (types[0], types[1]), offset=query.offset, limit=query.limit))
    return json_response([job_item(r) for r in runs])


def job_item(run: joblock.JobRun) -> JobRunItem:
    return JobRunItem(jobId=run.job_id, jobType=run.job_type, status=run.status,  # type: ignore[arg-type]
                      startedAt=run.started_at, startedBy=run.started_by, completedAt=run.completed_at,
                      processedCount=run.processed_count, failedCount=run.failed_count,
                      errorMessage=run.error_message, requestedBy=run.requested_by)


async def job_detail(call: Call) -> func.HttpResponse:
    """One run of this platform, with who asked and its result; 404 for another platform's or none."""
    job_id = call.req.route_params.get("jobId", "")
    try:
        job_id = str(uuid.UUID(job_id))
    except ValueError:
        raise ApiError(404, f"No run {job_id!r}: a job id is a UUID.") from None

    def read(conn: Connection) -> tuple[joblock.JobRun | None, list[JobItem]]:
        job = joblock.get_job(conn, job_id)
        if job is None or job.job_type not in call.platform.job_types or job.status == "InProgress":
            return job, []
        return job, job_items(conn, call.platform, job_id)

    job, items = await in_db(call.settings, read)
    if job is None or job.job_type not in call.platform.job_types:
        raise ApiError(404, f"No run {job_id} of {call.platform.display_name}'s jobs.")
    return json_response(JobRunDetail(**job_item(job).model_dump(), result=run_result(call.platform, job, items)))
