"""The platform registry: the one place that knows each platform's tables and columns.

Everything platform-specific (SQL identifiers, key type, job types, API field names) is read from here,
so a third platform is a new entry plus a migration. Identifiers are validated once, here; values
always travel as query parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from shared.settings import REQUEST_TYPE_MAX_LENGTH, Settings

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


class KeyKind(StrEnum):
    INTEGER = "integer"  # INT IDENTITY: the database assigns it
    UUID = "uuid"  # UNIQUEIDENTIFIER: the service generates it


class JobKind(StrEnum):
    NOTIFICATION = "ExpiryNotification"
    REVOKE = "RevokeExpired"


@dataclass(frozen=True)
class Column:
    """A platform column exposed through the API under a camelCase name."""

    sql: str
    api: str
    max_length: int = 100
    required: bool = False
    generated_prefix: str | None = None  # when a create leaves it empty: prefix + random hex
    # Shown in reminder emails under this label (an identifier that helps the recipient; DESIGN
    # section 6, R2): free text such as a justification or a name never is.
    email_label: str | None = None


@dataclass(frozen=True)
class Platform:
    name: str  # URL segment: /api/{name}/...
    display_name: str  # also the Job_Type suffix: ExpiryNotification<display_name>
    requests_table: str
    key: Column
    key_kind: KeyKind
    email_column: str
    expiry_column: str
    status_column: str
    active_status: str
    revoked_status: str
    created_column: str | None  # None: the table has no creation time (lists go by key)
    fields: tuple[Column, ...]  # the platform's own columns a create request may set
    # What people name a request by (searched, sorted as `number`, run results label requests by it):
    # one of `fields`.
    number_column: str
    number_unique: bool  # a create refuses a number already taken (a project id is not unique)
    name_column: str | None  # the requester's name, searched with the number and email; None: none
    notification_table: str
    notification_fk: str
    revoked_table: str
    revoked_fk: str
    request_types: tuple[str, ...]  # what a create may put in requestType (DATABRICKS_/PALANTIR_REQUEST_TYPES)

    def __post_init__(self) -> None:
        names = [
            self.requests_table, self.key.sql, self.email_column, self.expiry_column,
            self.status_column, self.notification_table, self.notification_fk, self.revoked_table,
            self.revoked_fk, *(field.sql for field in self.fields),
            *([self.created_column] if self.created_column is not None else []),
        ]
        for name in names:
            if not _IDENTIFIER.fullmatch(name):
                raise ValueError(f"platform {self.name!r}: {name!r} is not a plain SQL identifier")
        field_names = {field.sql for field in self.fields}
        for column in (self.number_column, self.name_column):
            if column is not None and column not in field_names:
                raise ValueError(f"platform {self.name!r}: {column!r} is not one of its fields")

    @property
    def number_field(self) -> Column:
        return next(field for field in self.fields if field.sql == self.number_column)

    @property
    def search_columns(self) -> tuple[str, ...]:
        """What `q` searches: the request number, the requester's email and, if known, name."""
        return (self.number_column, self.email_column, *([self.name_column] if self.name_column else []))

    def job_type(self, kind: JobKind) -> str:
        return f"{kind.value}{self.display_name}"

    @property
    def job_types(self) -> tuple[str, ...]:
        return tuple(self.job_type(kind) for kind in JobKind)


def build_platforms(settings: Settings) -> dict[str, Platform]:
    """Both platforms, with the column mapping and status values taken from settings."""
    databricks = Platform(
        name="databricks",
        display_name="Databricks",
        requests_table="DataAccessDeltaRequests",
        key=Column("id", "id"),
        key_kind=KeyKind.INTEGER,
        email_column="requested_by_email",
        expiry_column="Expires_On",
        status_column="Status",
        active_status=settings.databricks_active_status,
        revoked_status=settings.databricks_revoked_status,
        created_column=settings.databricks_created_column or None,
        fields=(
            Column("request_number", "requestNumber", 50, generated_prefix="REQ-", email_label="Request number"),
            Column("request_type", "requestType", REQUEST_TYPE_MAX_LENGTH, required=True),
            Column("requested_by_ad_id", "requestedByAdId", 100),
            Column("requested_by", "requestedBy", 200, required=True),
        ),
        number_column="request_number",
        number_unique=True,
        name_column="requested_by",
        notification_table="ExpiryNotification_Databricks",
        notification_fk="DeltaRequestId",
        revoked_table="RevokedAccess_Databricks",
        revoked_fk="DeltaRequestId",
        request_types=tuple(settings.databricks_request_types.split(",")),
    )
    palantir = Platform(
        name="palantir",
        display_name="Palantir",
        requests_table="DataAccessPalantirRequests",
        key=Column("RequestId", "requestId"),
        key_kind=KeyKind.UUID,
        email_column=settings.palantir_email_column,
        expiry_column=settings.palantir_expiry_column,
        status_column="Status",
        active_status=settings.palantir_active_status,
        revoked_status=settings.palantir_revoked_status,
        created_column=settings.palantir_created_column or None,
        fields=(
            Column("ProjectId", "projectId", 100, required=True, email_label="Project"),
            Column("ProjectRid", "projectRid", 200),
            Column("RequestType", "requestType", REQUEST_TYPE_MAX_LENGTH, required=True),
            Column("Justification", "justification", 1000),
        ),
        # Palantir requests have no number of their own: people name them by project, which many
        # requests share. The table has no requester name column (DESIGN section 3).
        number_column="ProjectId",
        number_unique=False,
        name_column=None,
        notification_table="ExpiryNotification_Palantir",
        notification_fk="PalantirRequestId",
        revoked_table="RevokedAccess_Palantir",
        revoked_fk="PalantirRequestId",
        request_types=tuple(settings.palantir_request_types.split(",")),
    )
    return {p.name: p for p in (databricks, palantir)}


@cache
def _platforms_for(settings: Settings) -> dict[str, Platform]:
    return build_platforms(settings)


def get_platform(settings: Settings, name: str) -> Platform | None:
    return _platforms_for(settings).get(name)


def all_platforms(settings: Settings) -> tuple[Platform, ...]:
    return tuple(_platforms_for(settings).values())
