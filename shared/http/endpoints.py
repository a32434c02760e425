"""The endpoint registry: the one list from which functions are registered and OpenAPI is written."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import azure.functions as func
from pydantic import BaseModel

from shared.db import DatabaseMissing
from shared.health import DatabaseHealth, check_database
from shared.http import email_api, identity_api, jobs_api, requests_api
from shared.http.auth import Access, authorize
from shared.http.call import Call, json_response
from shared.http.models import (
    EmailPreview,
    EmailPreviewQuery,
    Health,
    JobRunDetail,
    JobRunItem,
    JobsQuery,
    JobStatus,
    Me,
    NotificationJobResult,
    NotificationRunQuery,
    RequestListQuery,
    RequestOptions,
    RevokeJobResult,
    RolesSourceRequest,
    RolesSourceResult,
    access_request_model,
    create_request_model,
    pending_notification_model,
)
from shared.http.problems import TITLES, ApiError, problem_response
from shared.jobs.locked_run import JobCrashed
from shared.platforms import Platform, get_platform
from shared.settings import get_settings

log = logging.getLogger(__name__)

Handler = Callable[[Call], Awaitable[func.HttpResponse]]
ModelFor = Callable[[Platform], Any]  # a model class, or list[model], for this platform

AUTH_ERRORS = (401, 500, 503)
ROLE_ERRORS = (401, 403, 500, 503)
HEALTH_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Endpoint:
    function: str  # function name, prefixed with the platform for platform endpoints
    method: str
    path: str  # under /api/{platform}/ for platform endpoints, else under /api/
    handler: Handler
    summary: str
    access: Access
    response: ModelFor | None  # None: not JSON described by a model (the OpenAPI document itself)
    status: int = 200
    query: type[BaseModel] | None = None
    body: Callable[[Platform, bool], type[BaseModel]] | None = None  # for the platform, in test mode or not
    errors: tuple[int, ...] = AUTH_ERRORS
    per_platform: bool = True
    total_count_header: bool = False  # also X-Next-Cursor: the list pages by keyset too
    conflict: str = TITLES[409]  # what a 409 means here
    accepted: bool = False  # may answer 202 JobStarted with Location (a run still going, DESIGN section 5 R2)

    def function_name(self, platform: Platform | None) -> str:
        return f"{platform.name}_{self.function}" if self.per_platform and platform else self.function

    def route(self, platform: Platform | None) -> str:
        return f"{platform.name}/{self.path}" if self.per_platform and platform else self.path


async def health(call: Call) -> func.HttpResponse:
    try:
        database = await asyncio.wait_for(asyncio.to_thread(check_database, call.settings), HEALTH_TIMEOUT_SECONDS)
    except TimeoutError:
        log.warning("health: the database did not answer within %s s", HEALTH_TIMEOUT_SECONDS)
        database = DatabaseHealth("unreachable", f"The database did not answer within {HEALTH_TIMEOUT_SECONDS:g} s.")
    ok = database.state == "ok"
    body = Health(status="ok" if ok else "unavailable", database=database.state, detail=database.detail,
                  testSimulation=call.settings.allow_test_simulation)
    return json_response(body, status=200 if ok else 503)


async def openapi_document(call: Call) -> func.HttpResponse:
    from shared.http.openapi import openapi_json

    return func.HttpResponse(openapi_json(call.settings), mimetype="application/json", charset="utf-8")


A = "access-requests"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("list_access_requests", "GET", A, requests_api.list_access_requests,
             "Requests with their latest revocation and reminders, newest first unless sorted; searched, "
             "filtered, and paged by limit/offset or by cursor", Access.READER,
             lambda p: list[access_request_model(p)], query=RequestListQuery,  # type: ignore[misc]
             errors=(400, *ROLE_ERRORS), total_count_header=True),
    Endpoint("create_access_request", "POST", A, requests_api.create_access_request,
             "Create a request: platform fields, requestedByEmail and exactly one of expiresOn, "
             "expiresInDays, neverExpires", Access.ADMIN, access_request_model, status=201,
             body=create_request_model, errors=(400, 409, 413, 415, 422, *ROLE_ERRORS),
             conflict="The request number is taken (Databricks)"),
    Endpoint("request_options", "GET", "request-options", requests_api.request_options,
             "What a create accepts: the request types, the expiry range, field lengths, email domains",
             Access.READER, lambda p: RequestOptions, errors=ROLE_ERRORS),
    Endpoint("pending_expiry", "GET", f"{A}/pending-expiry", requests_api.pending_expiry,
             "Active requests already past expiry: what the revoke job would take now", Access.READER,
             lambda p: list[access_request_model(p)], errors=ROLE_ERRORS),  # type: ignore[misc]
    Endpoint("pending_notifications", "GET", f"{A}/pending-notifications", requests_api.pending_notifications,
             "Requests that need a reminder now, with days left and the reminder due", Access.READER,
             lambda p: list[pending_notification_model(p)], errors=ROLE_ERRORS),  # type: ignore[misc]
    Endpoint("send_expiry_notifications", "POST", f"{A}/send-expiry-notifications",
             jobs_api.send_expiry_notifications, "Run the expiry notification job", Access.ADMIN,
             lambda p: NotificationJobResult, query=NotificationRunQuery, errors=(400, 409, *ROLE_ERRORS),
             accepted=True),
    Endpoint("notification_job_status", "GET", f"{A}/notification-job-status", jobs_api.notification_job_status,
             "Whether the notification job is running, and who runs it", Access.READER, lambda p: JobStatus,
             errors=ROLE_ERRORS),
    Endpoint("revoke_expired", "POST", f"{A}/revoke-expired", jobs_api.revoke_expired,
             "Run the revoke-expired job", Access.ADMIN, lambda p: RevokeJobResult, errors=(409, *ROLE_ERRORS),
             accepted=True),
    Endpoint("revoke_job_status", "GET", f"{A}/revoke-job-status", jobs_api.revoke_job_status,
             "Whether the revoke job is running, and who runs it", Access.READER, lambda p: JobStatus,
             errors=ROLE_ERRORS),
    Endpoint("recent_jobs", "GET", "jobs", jobs_api.recent_jobs,
             "Recent runs of this platform's two jobs, newest first", Access.READER, lambda p: list[JobRunItem],
             query=JobsQuery, errors=(400, *ROLE_ERRORS)),
    Endpoint("email_preview", "GET", "email-preview", email_api.email_preview,
             "The reminder email of a kind, rendered for a sample request or the named one (requestKey)",
             Access.ADMIN, lambda p: EmailPreview, query=EmailPreviewQuery, errors=(400, 404, 422, *ROLE_ERRORS)),
    Endpoint("job_detail", "GET", "jobs/{jobId}", jobs_api.job_detail,
             "One run of this platform's jobs: who asked, and its result once it has finished", Access.READER,
             lambda p: JobRunDetail, errors=(404, *ROLE_ERRORS)),
    Endpoint("me", "GET", "me", identity_api.me, "The caller as the API sees them: name, roles, what they may do",
             Access.USER, lambda p: Me, per_platform=False),
    Endpoint("roles", "POST", "roles", identity_api.roles_source,
             "Static Web Apps' rolesSource, called by SWA only at sign-in: the roles the user's Entra groups give",
             Access.PUBLIC, lambda p: RolesSourceResult, body=lambda p, test_mode: RolesSourceRequest,
             errors=(400, 413, 415, 422), per_platform=False),
    Endpoint("health", "GET", "health", health, "Service and database health", Access.PUBLIC,
             lambda p: Health, errors=(503,), per_platform=False),
    Endpoint("openapi", "GET", "openapi.json", openapi_document, "This API's OpenAPI 3.1 description",
             Access.PUBLIC, None, errors=(), per_platform=False),
)


def http_handler(endpoint: Endpoint, platform: Platform) -> Callable[[func.HttpRequest], Awaitable[func.HttpResponse]]:
    """The Azure Function body: authorize, run, and turn every failure into problem+json."""

    async def handle(req: func.HttpRequest) -> func.HttpResponse:
        response = await answer(req)
        # Past sign-in nearly every answer carries personal data (names, emails, who ran a job):
        # no browser or proxy may keep any of them. One rule for all, so no endpoint forgets it.
        response.headers["Cache-Control"] = "no-store"
        return response

    async def answer(req: func.HttpRequest) -> func.HttpResponse:
        try:
            settings = get_settings()
            principal = authorize(req, settings, endpoint.access)
            # The platform as these settings describe it (column mapping, request types), like
            # every other setting a call reads; registration only fixed its name.
            current = get_platform(settings, platform.name)
            assert current is not None  # registered from the same registry
            return await endpoint.handler(Call(req, settings, current, principal))
        except ApiError as error:
            return problem_response(error)
        except DatabaseMissing as missing:
            log.error("%s: %s", endpoint.function_name(platform), missing)
            return problem_response(ApiError(503, "The database does not exist yet: an operator creates it "
                                                  "with `python -m shared.migrate`. /api/health says more."))
        except JobCrashed as crash:  # its traceback is logged under the id stored in its JobRun row
            return problem_response(ApiError(500, f"The job failed and was marked Failed. Error id {crash.error_id}.",
                                             errorId=crash.error_id, jobId=crash.job_id))
        except Exception:
            error_id = str(uuid.uuid4())
            log.exception("error %s: unhandled exception in %s", error_id, endpoint.function_name(platform))
            return problem_response(ApiError(500, f"Something went wrong on our side. Error id {error_id}.",
                                             errorId=error_id))

    return handle
