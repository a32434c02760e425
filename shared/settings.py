"""Typed app settings, read from the environment (Azure app settings / local.settings.json).

The setting names are a contract (DESIGN.md section 9): scripts and tests outside the code use them.
An invalid value stops start-up with a message naming the setting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Settings that function bindings reference as %NAME%; the local host falls back to these when
# neither the environment nor local.settings.json names them. NCRONTAB: second minute hour day month dow.
APP_SETTING_DEFAULTS: dict[str, str] = {
    "NOTIFICATION_SCHEDULE": "0 0 8 * * *",
    "REVOKE_SCHEDULE": "0 */15 * * * *",
    "JOB_QUEUE_NAME": "job-runs",  # the run_job trigger's queue (and its -poison queue)
}

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
# Entra tenant and group object ids are GUIDs.
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_QUEUE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Durations reach T-SQL as INT milliseconds (DATEADD), which overflow past ~24.8 days.
MAX_DURATION_SECONDS = 86_400
# The statements compare status values as VARCHAR(20), the platform tables' Status type.
STATUS_MAX_LENGTH = 20
# Both platform tables store the request type in a 50-character column.
REQUEST_TYPE_MAX_LENGTH = 50
# Settings shown masked by repr()/str() (logs, tracebacks, debuggers): by name, so a new secret
# setting (ACS_CONNECTION_STRING, ...) is masked without anyone remembering to.
_SECRET_NAME = re.compile(r"password|secret|connection_string|key$")
MASKED = "********"
# Labels of letters, digits (any script: addresses may be internationalised) and inner hyphens.
_DOMAIN = re.compile(r"(?=.{1,253}$)([^\W_]((?:[^\W_]|-){0,61}[^\W_])?\.)+[^\W\d_](?:[^\W_]|-){0,62}")


class SettingsError(RuntimeError):
    """Start-up configuration is invalid; the message names every offending setting."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        case_sensitive=True, extra="ignore", populate_by_name=True, frozen=True
    )

    db_backend: Literal["sqlite", "mssql"] = Field("sqlite", alias="DB_BACKEND")
    sqlite_path: str = Field("data/access-requests.db", alias="SQLITE_PATH", min_length=1)
    sql_connection_string: str = Field("", alias="SQL_CONNECTION_STRING")
    # Every statement's limit, waiting for locks included, so nothing waits forever while a lease
    # is held (DESIGN section 4, R2).
    sql_query_timeout_seconds: float = Field(30.0, alias="SQL_QUERY_TIMEOUT_SECONDS", gt=0, le=3600)

    auth_mode: Literal["swa", "none"] = Field("swa", alias="AUTH_MODE")
    admin_role: str = Field("access-admin", alias="ADMIN_ROLE", min_length=1)
    reader_role: str = Field("access-reader", alias="READER_ROLE", min_length=1)
    # The one tenant whose users may sign in (SWA's openIdIssuer); the roles function also
    # refuses claims of any other tenant. Empty: not checked (local development).
    azure_tenant_id: str = Field("", alias="AZURE_TENANT_ID")
    # Entra groups whose members get ADMIN_ROLE / READER_ROLE from the roles function:
    # comma-separated object ids, kept lower-case.
    admin_group_ids: str = Field("", alias="ADMIN_GROUP_IDS")
    reader_group_ids: str = Field("", alias="READER_GROUP_IDS")
    allow_test_simulation: bool = Field(False, alias="ALLOW_TEST_SIMULATION")

    job_lock_timeout_seconds: float = Field(
        600.0, alias="JOB_LOCK_TIMEOUT_SECONDS", gt=0, le=MAX_DURATION_SECONDS)
    job_heartbeat_seconds: float = Field(60.0, alias="JOB_HEARTBEAT_SECONDS", gt=0, le=MAX_DURATION_SECONDS)
    # Runs outlive HTTP requests (DESIGN section 5, R2): the POST starts a run on this Storage
    # queue and waits this long for it (Static Web Apps ends API requests at 45 s), then answers 202.
    job_queue_name: str = Field(APP_SETTING_DEFAULTS["JOB_QUEUE_NAME"], alias="JOB_QUEUE_NAME")
    job_sync_wait_seconds: float = Field(20.0, alias="JOB_SYNC_WAIT_SECONDS", ge=0, le=230)
    # A notification run starts no send after this long (the Consumption plan ends functions at 10 min).
    job_max_run_seconds: float = Field(480.0, alias="JOB_MAX_RUN_SECONDS", gt=0, le=MAX_DURATION_SECONDS)
    revoke_demo_delay_seconds: float = Field(
        0.0, alias="REVOKE_DEMO_DELAY_SECONDS", ge=0, le=MAX_DURATION_SECONDS)

    email_mode: Literal["simulated", "smtp", "acs", "graph"] = Field("simulated", alias="EMAIL_MODE")
    email_simulated_delay_seconds: float = Field(
        10.0, alias="EMAIL_SIMULATED_DELAY_SECONDS", ge=0, le=MAX_DURATION_SECONDS)
    notify_max_parallel: int = Field(100, alias="NOTIFY_MAX_PARALLEL", ge=1, le=10_000)
    # Sends in any 60 s window, as email providers throttle (ACS Email: 30 a minute); 0 = no limit.
    email_max_per_minute: int = Field(0, alias="EMAIL_MAX_PER_MINUTE", ge=0, le=1_000_000)
    notification_schedule: str = Field(
        APP_SETTING_DEFAULTS["NOTIFICATION_SCHEDULE"], alias="NOTIFICATION_SCHEDULE"
    )
    revoke_schedule: str = Field(APP_SETTING_DEFAULTS["REVOKE_SCHEDULE"], alias="REVOKE_SCHEDULE")
    port: int = Field(7071, alias="PORT", ge=1, le=65535)

    smtp_host: str = Field("localhost", alias="SMTP_HOST")
    smtp_port: int = Field(587, alias="SMTP_PORT", ge=1, le=65535)
    smtp_username: str = Field("", alias="SMTP_USERNAME")
    smtp_password: str = Field("", alias="SMTP_PASSWORD")
    smtp_starttls: bool = Field(True, alias="SMTP_STARTTLS")
    smtp_timeout_seconds: float = Field(30.0, alias="SMTP_TIMEOUT_SECONDS", gt=0, le=MAX_DURATION_SECONDS)
    email_from: str = Field("access-governance@example.com", alias="EMAIL_FROM", min_length=3)
    # EMAIL_MODE=acs: the resource's endpoint (token from the app's managed identity), or a
    # connection string with its access key.
    acs_endpoint: str = Field("", alias="ACS_ENDPOINT")
    acs_connection_string: str = Field("", alias="ACS_CONNECTION_STRING")
    # EMAIL_MODE=graph: the mailbox (address or object id) that sends, via Graph's sendMail.
    graph_sender: str = Field("", alias="GRAPH_SENDER")
    # A folder whose templates replace the shipped ones of the same name (shared/mail/templates).
    email_templates_dir: str = Field("", alias="EMAIL_TEMPLATES_DIR")
    # The UI's address, for links in emails (e.g. https://access.contoso.com); empty = no link.
    public_base_url: str = Field("", alias="PUBLIC_BASE_URL")
    # Comma-separated domains reminders may go to, e.g. "contoso.com,contoso.co.uk"; empty = any.
    # A create for another address is refused and the jobs never send to one (DESIGN section 6, R2).
    email_allowed_domains: str = Field("", alias="EMAIL_ALLOWED_DOMAINS")

    # The real platform tables may name these differently (DESIGN section 3).
    databricks_active_status: str = Field(
        "Active", alias="DATABRICKS_ACTIVE_STATUS", min_length=1, max_length=STATUS_MAX_LENGTH)
    databricks_revoked_status: str = Field(
        "Revoked", alias="DATABRICKS_REVOKED_STATUS", min_length=1, max_length=STATUS_MAX_LENGTH)
    palantir_active_status: str = Field(
        "Active", alias="PALANTIR_ACTIVE_STATUS", min_length=1, max_length=STATUS_MAX_LENGTH)
    palantir_revoked_status: str = Field(
        "Revoked", alias="PALANTIR_REVOKED_STATUS", min_length=1, max_length=STATUS_MAX_LENGTH)
    palantir_email_column: str = Field("RequestedByEmail", alias="PALANTIR_EMAIL_COLUMN")
    palantir_expiry_column: str = Field("ExpiresOn", alias="PALANTIR_EXPIRY_COLUMN")
    # The SPEC does not name a creation time (only the dev stand-ins have one): empty = none.
    databricks_created_column: str = Field("created_at", alias="DATABRICKS_CREATED_COLUMN")
    palantir_created_column: str = Field("created_at", alias="PALANTIR_CREATED_COLUMN")
    # The request types a create may use (comma-separated; the Create form offers them as a list).
    databricks_request_types: str = Field("Read,ReadWrite,Admin", alias="DATABRICKS_REQUEST_TYPES")
    palantir_request_types: str = Field("Viewer,Editor,Owner", alias="PALANTIR_REQUEST_TYPES")

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, MASKED if name and value and _SECRET_NAME.search(name) else value

    @field_validator("palantir_email_column", "palantir_expiry_column")
    @classmethod
    def _is_identifier(cls, value: str) -> str:
        if not _IDENTIFIER.fullmatch(value):
            raise ValueError("must be a plain SQL identifier (letters, digits, underscore)")
        return value

    @field_validator("job_queue_name")
    @classmethod
    def _is_queue_name(cls, value: str) -> str:
        # Azure's rule (3-63 lowercase letters, digits, single inner hyphens), leaving room for "-poison".
        if not 3 <= len(value) <= 63 - len("-poison") or not _QUEUE_NAME.fullmatch(value):
            raise ValueError("must be 3-56 lowercase letters, digits and single hyphens (not first or last)")
        return value

    @field_validator("azure_tenant_id")
    @classmethod
    def _is_guid_or_empty(cls, value: str) -> str:
        value = value.strip().lower()
        if value and not _GUID.fullmatch(value):
            raise ValueError("must be the tenant's id, a GUID such as 00000000-0000-0000-0000-000000000000")
        return value

    @field_validator("admin_group_ids", "reader_group_ids")
    @classmethod
    def _are_guids(cls, value: str) -> str:
        ids = [part.strip().lower() for part in value.split(",") if part.strip()]
        if wrong := [i for i in ids if not _GUID.fullmatch(i)]:
            raise ValueError(f"must be comma-separated group object ids (GUIDs); not one: {wrong[0]!r}")
        return ",".join(ids)

    @property
    def admin_groups(self) -> frozenset[str]:
        return frozenset(filter(None, self.admin_group_ids.split(",")))

    @property
    def reader_groups(self) -> frozenset[str]:
        return frozenset(filter(None, self.reader_group_ids.split(",")))

    @field_validator("databricks_created_column", "palantir_created_column")
    @classmethod
    def _is_identifier_or_empty(cls, value: str) -> str:
        if value and not _IDENTIFIER.fullmatch(value):
            raise ValueError("must be a plain SQL identifier (letters, digits, underscore), "
                             "or empty when the table has no such column")
        return value

    @field_validator("databricks_request_types", "palantir_request_types")
    @classmethod
    def _are_request_types(cls, value: str) -> str:
        types = [t.strip() for t in value.split(",") if t.strip()]
        if not types:
            raise ValueError("must name at least one request type (comma-separated, e.g. Read,Write)")
        if long := [t for t in types if len(t) > REQUEST_TYPE_MAX_LENGTH]:
            raise ValueError(f"{long[0]!r} is longer than the column's {REQUEST_TYPE_MAX_LENGTH} characters")
        if len(set(types)) != len(types):
            raise ValueError("names a request type twice")
        return ",".join(types)

    @field_validator("email_allowed_domains")
    @classmethod
    def _are_domains(cls, value: str) -> str:
        domains = [d.strip().casefold() for d in value.split(",") if d.strip()]
        bad = [d for d in domains if not _DOMAIN.fullmatch(d)]
        if bad:
            raise ValueError(f"{', '.join(bad)}: not a domain name (comma-separated names like example.com)")
        return ",".join(domains)

    @property
    def allowed_email_domains(self) -> frozenset[str]:
        return frozenset(self.email_allowed_domains.split(",")) - {""}

    def email_allowed(self, address: str) -> bool:
        """Whether reminders may go to `address`: EMAIL_ALLOWED_DOMAINS is empty or names its domain."""
        allowed = self.allowed_email_domains
        return not allowed or address.rpartition("@")[2].strip().casefold() in allowed

    @field_validator("acs_endpoint", "public_base_url")
    @classmethod
    def _is_web_address_or_empty(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        parts = urlsplit(value)
        if value and (parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment):
            raise ValueError("must be an http(s) address such as https://example.com, without query or fragment")
        return value

    @field_validator("email_templates_dir")
    @classmethod
    def _is_a_folder_or_empty(cls, value: str) -> str:
        if value and not Path(value).is_dir():
            raise ValueError(f"{value!r} is not a folder")
        return value

    @field_validator("notification_schedule", "revoke_schedule")
    @classmethod
    def _is_ncrontab(cls, value: str) -> str:
        if len(value.split()) != 6:
            raise ValueError("must be an NCRONTAB expression with 6 fields (second first)")
        return value

    @model_validator(mode="after")
    def _heartbeat_within_the_lease(self) -> Settings:
        # A heartbeat as long as the lease would let the lease lapse between two of them.
        if self.job_heartbeat_seconds >= self.job_lock_timeout_seconds:
            raise ValueError(
                f"JOB_HEARTBEAT_SECONDS ({self.job_heartbeat_seconds:g}) must be less than "
                f"JOB_LOCK_TIMEOUT_SECONDS ({self.job_lock_timeout_seconds:g})")
        return self

    @model_validator(mode="after")
    def _email_mode_has_what_it_needs(self) -> Settings:
        if self.email_mode == "acs" and not (self.acs_endpoint or self.acs_connection_string.strip()):
            raise ValueError("EMAIL_MODE=acs needs ACS_ENDPOINT (managed identity) or ACS_CONNECTION_STRING")
        if self.email_mode == "graph" and not self.graph_sender.strip():
            raise ValueError("EMAIL_MODE=graph needs GRAPH_SENDER, the mailbox that sends")
        return self

    @model_validator(mode="after")
    def _mssql_needs_a_connection_string(self) -> Settings:
        if self.db_backend == "mssql" and not self.sql_connection_string.strip():
            raise ValueError("SQL_CONNECTION_STRING is required when DB_BACKEND=mssql")
        return self


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; raise SettingsError naming each invalid setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            if not error["loc"]:  # a rule across settings names them in its message
                problems.append(error["msg"].removeprefix("Value error, "))
                continue
            name = str(error["loc"][0])
            field = Settings.model_fields.get(name)
            setting = field.alias if field is not None and field.alias else name
            problems.append(f"{setting}: {error['msg'].removeprefix('Value error, ')}")
        raise SettingsError("Invalid app settings: " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once (Functions hosts restart on setting changes)."""
    return load_settings()
