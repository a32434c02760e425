"""Job endpoints: run a job, its lock status, and recent runs of the platform's jobs."""

from __future__ import annotations

import logging

import azure.functions as func

from shared import joblock
from shared.http.call import Call, json_response
from shared.http.models import (
    ActiveJob,
    FailedNotification,
    JobRunItem,
    JobsQuery,
    JobStatus,
    NotificationJobResult,
    NotificationRunQuery,
    Performance,
    RevokeJobResult,
    SentNotification,
)
from shared.http.problems import ApiError
from shared.http.requests_api import in_db
from shared.jobs.locked_run import JobBusy, JobDone
from shared.jobs.notifications import NotificationReport, run_notification_job
from shared.jobs.revoke import RevokeReport, run_revoke_job
from shared.mail.senders import FailureSimulation, make_sender
from shared.platforms import JobKind

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
    sender = make_sender(call.settings, FailureSimulation.of(query.simulateFailures, query.failEmail))
    log_trigger(call, JobKind.NOTIFICATION)
    outcome = await run_notification_job(call.settings, call.platform, sender, started_by=joblock.machine_name())
    if isinstance(outcome, JobBusy):
        raise busy(outcome)
    return json_response(notification_result(outcome))


def notification_result(outcome: JobDone[NotificationReport]) -> NotificationJobResult:
    report = outcome.value
    attempted = len(report.sent) + len(report.failures)
    if attempted == 0 and not outcome.lock_lost:
        message = "No requests need an expiry reminder right now."
    else:
        message = f"Sent {len(report.sent)} of {attempted} expiry reminders"
        message += f"; {len(report.failures)} failed." if report.failures else "."
    if outcome.lock_lost:
        message += LOCK_LOST + (f" {report.not_started} reminders were not started." if report.not_started else "")
    return NotificationJobResult(
        message=message,
        jobId=outcome.job_id,
        notifiedCount=len(report.sent),
        failedCount=len(report.failures),
        notifications=[SentNotification(requestId=s.request_key, email=s.email, reminderType=s.reminder_type,  # type: ignore[arg-type]
                                        daysLeft=s.days_left, sentAt=s.sent_at) for s in report.sent],
        failures=[FailedNotification(requestId=f.request_key, email=f.email, reminderType=f.reminder_type,  # type: ignore[arg-type]
                                     error=f.error) for f in report.failures],
        performance=Performance(parallelMs=round(report.parallel_ms, 1),
                                estimatedSequentialMs=round(report.estimated_sequential_ms, 1),
                                speedup=report.speedup),
        lockLost=outcome.lock_lost,
    )


async def revoke_expired(call: Call) -> func.HttpResponse:
    log_trigger(call, JobKind.REVOKE)
    outcome = await run_revoke_job(call.settings, call.platform, started_by=joblock.machine_name())
    if isinstance(outcome, JobBusy):
        raise busy(outcome)
    return json_response(revoke_result(outcome))


def revoke_result(outcome: JobDone[RevokeReport]) -> RevokeJobResult:
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
                           revokedAt=report.revoked_at, lockLost=outcome.lock_lost)


async def recent_jobs(call: Call) -> func.HttpResponse:
    query = call.query(JobsQuery)
    types = call.platform.job_types
    assert len(types) == 2
    runs = await in_db(call.settings, lambda conn: joblock.recent_jobs(
        conn, (types[0], types[1]), offset=query.offset, limit=query.limit))
    return json_response([
        JobRunItem(jobId=r.job_id, jobType=r.job_type, status=r.status,  # type: ignore[arg-type]
                   startedAt=r.started_at, startedBy=r.started_by, completedAt=r.completed_at,
                   processedCount=r.processed_count, failedCount=r.failed_count, errorMessage=r.error_message)
        for r in runs
    ])
