"""Typed boundaries of the API: pydantic models for bodies, queries and responses.

The same models validate input, shape output, and generate /api/openapi.json, so the document
cannot drift from the code. Per-platform models are built from the platform registry.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model, field_validator, model_validator

from shared.health import DatabaseState
from shared.platforms import KeyKind, Platform

# Not `\s`: it means different sets in JSON Schema's ECMA regex, Python's `re` (which also counts
# \x1c-\x1f and \x85) and the Rust engine pydantic validates with (\x85, not \ufeff), so an
# address one allowed another refused. Spelled out: no "@", control character or space of any kind.
_EMAIL_CHAR = r"[^@\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
EMAIL_PATTERN = rf"^{_EMAIL_CHAR}{{1,64}}@{_EMAIL_CHAR}+\.{_EMAIL_CHAR}{{2,}}$"
RequestKeyValue = int | str
MAX_EXPIRES_IN_DAYS = 36500
MIN_TEST_EXPIRES_IN_DAYS = -3650  # test mode only: create a request already expired, for demos
YEARS_1900_TO_9998 = r"^(19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-"


def _not_a_boolean(value: object) -> object:
    # JSON true/false are not day counts (lax int would take them as 1/0); 3.0 still is 3.
    if isinstance(value, bool):
        raise ValueError("must be a whole number of days, not a boolean")
    return value


def _not_a_number(value: object) -> object:
    # A JSON number would be taken as a Unix timestamp; the document says an ISO-8601 string.
    if not isinstance(value, str | datetime):
        raise ValueError("must be an ISO-8601 date-time string")
    return value


WholeNumber = Annotated[int, BeforeValidator(_not_a_boolean)]
ReminderType = Literal["30-Day Reminder", "7-Day Reminder"]


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- query parameters ------------------------------------------------------------------------------
class PageQuery(ApiModel):
    model_config = ConfigDict(extra="ignore")
    limit: int = Field(500, ge=1, le=5000, description="Page size")
    offset: int = Field(0, ge=0, le=10_000_000, description="Items to skip")


def _blank_is_absent(value: object) -> object:
    # The UI sends ?q= when the search box is empty: no search, not a search for "".
    return None if isinstance(value, str) and not value.strip() else value


class RequestListQuery(PageQuery):
    """The list's search, filters, sort and keyset paging (DESIGN section 6, R2)."""

    q: Annotated[str | None, BeforeValidator(_blank_is_absent)] = Field(
        None, max_length=320, description="Case-insensitive substring of the request number (Palantir: the "
                                          "project), the requester's email or (Databricks) name")
    status: Literal["Active", "Revoked", "Expired"] | None = Field(
        None, description="Active: not past expiry; Expired: still Active but past expiry (awaiting revoke); "
                          "Revoked")
    expiresWithinDays: WholeNumber | None = Field(
        None, ge=0, le=36500, description="Expiring from now to this many days from now (not yet expired)")
    sort: Literal["created", "-created", "expires", "-expires", "number", "-number"] = Field(
        "-created", description="Sort by creation, expiry or request number (Palantir: project); "
                                "a leading - is descending. Ties go by key, in the same direction")
    cursor: str | None = Field(
        None, max_length=1000, description="Start after the position the previous page's X-Next-Cursor names; "
                                           "only with the same q, status, expiresWithinDays and sort")


class JobsQuery(ApiModel):
    model_config = ConfigDict(extra="ignore")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class OnlyInTestMode:
    """Marks a query parameter honoured only with ALLOW_TEST_SIMULATION=true (otherwise 400): the
    OpenAPI document offers it only then."""


ONLY_IN_TEST_MODE = OnlyInTestMode()


class NotificationRunQuery(ApiModel):
    model_config = ConfigDict(extra="ignore")
    simulateFailures: Annotated[bool, ONLY_IN_TEST_MODE] = Field(
        False, description="Test mode only: fail about half the sends at random")
    failEmail: Annotated[list[str], ONLY_IN_TEST_MODE] = Field(
        default_factory=list, description="Test mode only: fail sends to these addresses")


class EmailPreviewQuery(ApiModel):
    model_config = ConfigDict(extra="ignore")
    kind: ReminderType = Field("30-Day Reminder", description="The kind of message")
    requestKey: str | None = Field(None, max_length=64, description="Render it for this request; absent: a sample")


# --- responses -----------------------------------------------------------------------------------------
class ActiveJob(ApiModel):
    jobId: str
    jobType: str
    startedAt: datetime
    startedBy: str


class JobStatus(ApiModel):
    isLocked: bool
    activeJob: ActiveJob | None


class SentNotification(ApiModel):
    requestId: RequestKeyValue
    requestLabel: str | None = Field(None, description="What people know the request by: its request number "
                                    "(Databricks) or project (Palantir); null once the request is gone")
    email: str
    reminderType: str
    daysLeft: int
    sentAt: datetime


class FailedNotification(ApiModel):
    requestId: RequestKeyValue
    requestLabel: str | None = Field(None, description="What people know the request by: its request number "
                                    "(Databricks) or project (Palantir); null once the request is gone")
    email: str
    reminderType: str
    error: str


class Performance(ApiModel):
    parallelMs: float
    estimatedSequentialMs: float
    speedup: float


class NotificationJobResult(ApiModel):
    message: str
    jobId: str
    notifiedCount: int
    failedCount: int
    notifications: list[SentNotification]
    failures: list[FailedNotification]
    performance: Performance
    lockLost: bool = Field(description="The lease was lost mid-run; later sends were not started")
    notStarted: int = Field(0, description="Reminders left for the next run (time budget or lease ran out)")


class RevokedRequest(ApiModel):
    requestId: RequestKeyValue
    requestLabel: str | None = Field(None, description="What people know the request by: its request number "
                                    "(Databricks) or project (Palantir); null once the request is gone")
    email: str


class RevokeJobResult(ApiModel):
    message: str
    jobId: str
    revokedCount: int
    revokedAt: datetime | None
    lockLost: bool
    revoked: list[RevokedRequest] = Field(default_factory=list, description="What the run revoked")


class JobRunItem(ApiModel):
    jobId: str
    jobType: str
    status: Literal["InProgress", "Completed", "Failed"]
    startedAt: datetime
    startedBy: str
    completedAt: datetime | None
    processedCount: int | None
    failedCount: int | None
    errorMessage: str | None
    requestedBy: str | None = Field(None, description="Who asked: the signed-in user's name, or (timer)")


class JobRunDetail(JobRunItem):
    result: NotificationJobResult | RevokeJobResult | None = Field(
        description="The body the run's 200 carries, from its outcome records; null while it runs")


class JobStarted(ApiModel):
    """202: the run is queued or still running; poll statusUrl (also the Location header)."""

    message: str
    jobId: str
    status: Literal["InProgress"]
    statusUrl: str


class Health(ApiModel):
    status: Literal["ok", "unavailable"]
    database: DatabaseState
    detail: str = Field(description="What is wrong with the database and what fixes it, for people")
    testSimulation: bool


class EmailPreview(ApiModel):
    kind: str
    requestKey: int | str | None = Field(description="null: rendered for a sample request")
    recipient: str
    sender: str
    subject: str
    text: str
    html: str = Field(description="Show it only in a sandboxed frame")


class Me(ApiModel):
    name: str
    roles: list[str]
    isAdmin: bool
    authMode: Literal["swa", "none"]
    adminRole: str = Field(description="The role that creating requests and running jobs need (ADMIN_ROLE)")


class RequestOptions(ApiModel):
    """What a create accepts, so the form can offer it up front instead of refusing it after."""

    requestTypes: list[str] = Field(description="The values requestType may take (<PLATFORM>_REQUEST_TYPES)")
    minExpiresInDays: int = Field(description="Below 1 only in test mode: an already-expired request")
    maxExpiresInDays: int
    maxLengths: dict[str, int] = Field(description="The longest value each platform field takes, by field")
    allowedEmailDomains: list[str] = Field(description="requestedByEmail must be in one of these; empty: any")


class Claim(BaseModel):
    model_config = ConfigDict(extra="ignore")
    typ: str
    val: str


class RolesSourceRequest(BaseModel):
    """What Static Web Apps posts to its `rolesSource` function after each sign-in."""

    model_config = ConfigDict(extra="ignore")  # SWA may add members; none of them grants anything
    identityProvider: str
    userId: str = ""
    userDetails: str = ""
    claims: list[Claim] = Field(default_factory=list, max_length=1000)
    # accessToken (the user's token, for calling Graph) is not read: the groups are in the claims.


class RolesSourceResult(ApiModel):
    roles: list[str]


class FieldError(ApiModel):
    field: str
    message: str


class Problem(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    activeJob: ActiveJob | None = None
    errorId: str | None = None


# --- per-platform models --------------------------------------------------------------------------------
def _key_type(platform: Platform) -> Any:
    return int if platform.key_kind is KeyKind.INTEGER else str


@cache
def access_request_model(platform: Platform) -> type[BaseModel]:
    fields: dict[str, Any] = {platform.key.api: (_key_type(platform), ...)}
    fields |= {c.api: (str | None, None) for c in platform.fields}
    fields |= {
        "requestedByEmail": (str, ...),
        "status": (str, ...),
        "expiresOn": (datetime | None, Field(None, description="null: never expires")),
        "createdAt": (datetime | None, None),
        "revokedDt": (datetime | None, None),
        "revokedBy": (str | None, None),
        "notificationCount": (int, 0),
        "lastNotificationType": (str | None, None),
        "lastNotificationDt": (datetime | None, None),
        "expired": (bool, Field(False, description="Still Active but past its expiry: awaiting revoke")),
    }
    return create_model(f"{platform.display_name}AccessRequest", __base__=ApiModel, **fields)


@cache
def pending_notification_model(platform: Platform) -> type[BaseModel]:
    return create_model(
        f"{platform.display_name}PendingNotification",
        __base__=access_request_model(platform),
        daysLeft=(int, ...),
        reminderType=(ReminderType, ...),
    )


class _ExactlyOneExpiry(ApiModel):
    # The three choices are optional but not nullable, and the schema says "exactly one present"
    # (oneOf), so what the document allows is exactly what the handler accepts.
    model_config = ConfigDict(json_schema_extra={"oneOf": [
        {"required": ["expiresOn"]}, {"required": ["expiresInDays"]}, {"required": ["neverExpires"]}]})

    requestedByEmail: str = Field(pattern=EMAIL_PATTERN, max_length=320)
    expiresOn: Annotated[datetime, BeforeValidator(_not_a_number)] = Field(  # type: ignore[assignment]
        None, description="Expiry (UTC when no offset is given), in the years 1900 to 9998; "
                         "a past one only in test mode",
        json_schema_extra={"pattern": YEARS_1900_TO_9998})
    expiresInDays: WholeNumber = Field(  # type: ignore[assignment]
        None, ge=MIN_TEST_EXPIRES_IN_DAYS, le=MAX_EXPIRES_IN_DAYS,
        description="Days from now; negative only in test mode")
    neverExpires: Literal[True] = None  # type: ignore[assignment]

    @field_validator("expiresOn")
    @classmethod
    def _within_what_the_column_stores(cls, value: datetime) -> datetime:
        # SQL Server's DATETIME starts in 1753; 9999-12-31 is the never-expires marker. The year
        # as written is checked, as the schema's pattern says.
        if not 1900 <= value.year <= 9998:
            raise ValueError("must be in the years 1900 to 9998 (use neverExpires for no expiry)")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @model_validator(mode="after")
    def _exactly_one_expiry(self) -> _ExactlyOneExpiry:
        given = [n for n in ("expiresOn", "expiresInDays", "neverExpires") if n in self.model_fields_set]
        if len(given) != 1:
            raise ValueError("give exactly one of expiresOn, expiresInDays, neverExpires")
        return self


@cache
def create_request_model(platform: Platform, test_mode: bool) -> type[_ExactlyOneExpiry]:
    """The create body; outside test mode a request cannot be created already expired."""
    fields: dict[str, Any] = {
        c.api: (str, Field(min_length=1, max_length=c.max_length)) if c.required
        else (str | None, Field(None, max_length=c.max_length))
        for c in platform.fields
    }
    if "requestType" in fields:  # only the configured types; as an enum, the OpenAPI document lists them
        fields["requestType"] = (Literal[platform.request_types], ...)  # type: ignore[valid-type]
    if not test_mode:  # 0 days would expire at once, which only test mode allows
        fields["expiresInDays"] = (WholeNumber, Field(None, ge=1, le=MAX_EXPIRES_IN_DAYS, description="Days from now"))
    return create_model(f"{platform.display_name}CreateAccessRequest", __base__=_ExactlyOneExpiry, **fields)
