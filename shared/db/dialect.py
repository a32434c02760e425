"""What differs between the two database engines, apart from the SQL text itself.

The SQL text lives in `shared/queries/<dialect>.py`, one named statement per entry, with the same
names and the same `?` parameters in the same order in both dialects.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.platforms import Platform

# SQL Server: 2601 duplicate key in a unique index, 2627 unique/primary key constraint violation.
_MSSQL_DUPLICATE_KEY = re.compile(r"\b(2601|2627)\b")
# SQLSTATE class 08 is "connection exception" (08S01: communication link failure, the failover case).
_MSSQL_CONNECTION_STATES = frozenset({"08S01", "08S02", "08001", "08003", "08004", "08007"})
# SQLite errors after which this connection is of no further use, but a new one may well be.
_SQLITE_CONNECTION_ERRORS = ("closed database", "unable to open database file", "disk i/o error")


@dataclass(frozen=True)
class Dialect:
    name: str
    statements: Mapping[str, str] = field(repr=False)
    quote_open: str
    quote_close: str

    def quote(self, identifier: str) -> str:
        return f"{self.quote_open}{identifier}{self.quote_close}"

    def sql(self, name: str, platform: Platform | None = None) -> str:
        """The named statement, with the platform's (validated) identifiers filled in."""
        template = self.statements[name]
        if platform is None:
            return template
        q = self.quote
        generated_key = [platform.key.sql] if platform.key_kind.value == "uuid" else []
        insert_columns = [
            *generated_key, *(c.sql for c in platform.fields),
            platform.email_column, platform.expiry_column, platform.status_column,
        ]
        return template.format(
            insert_columns=", ".join(q(c) for c in insert_columns),
            insert_values=", ".join("?" for _ in insert_columns),
            requests=q(platform.requests_table),
            key=q(platform.key.sql),
            email=q(platform.email_column),
            expires=q(platform.expiry_column),
            status=q(platform.status_column),
            created=q(platform.created_column),
            notifications=q(platform.notification_table),
            notification_fk=q(platform.notification_fk),
            revoked=q(platform.revoked_table),
            revoked_fk=q(platform.revoked_fk),
            fields="".join(f", u.{q(c.sql)}" for c in platform.fields),
        )

    # --- values crossing the driver boundary -------------------------------------------------
    def datetime_param(self, value: datetime) -> Any:
        """A UTC datetime as the driver should receive it (columns are DATETIME, UTC, naive)."""
        naive = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        if self.name == "sqlite":
            # Text in one fixed format, so that text comparison is time comparison. isoformat, not
            # strftime: strftime does not zero-pad years before 1000 on every platform.
            return naive.isoformat(sep=" ", timespec="milliseconds")
        return naive

    def uuid_param(self, value: uuid.UUID | str) -> str:
        return str(uuid.UUID(str(value)))

    def is_duplicate_key(self, error: BaseException) -> bool:
        if self.name == "sqlite":
            import sqlite3

            return isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error)
        return _MSSQL_DUPLICATE_KEY.search(str(error)) is not None

    def is_connection_error(self, error: BaseException) -> bool:
        """The connection is dead (dropped, failed over, closed): reopen it rather than reuse it."""
        if self.name == "sqlite":
            import sqlite3

            return isinstance(error, sqlite3.Error) and any(
                text in str(error).lower() for text in _SQLITE_CONNECTION_ERRORS
            )
        state = error.args[0] if error.args and isinstance(error.args[0], str) else ""
        return state in _MSSQL_CONNECTION_STATES or "closed connection" in str(error).lower()


def read_datetime(value: object) -> datetime | None:
    """A DATETIME read from either driver, as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        parsed = datetime.fromisoformat(str(value))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def read_uuid(value: object) -> str:
    return str(uuid.UUID(str(value)))


def _dialects() -> tuple[Dialect, Dialect]:
    from shared.queries import mssql, sqlite

    return (
        Dialect("sqlite", sqlite.STATEMENTS, *sqlite.QUOTE),
        Dialect("mssql", mssql.STATEMENTS, *mssql.QUOTE),
    )


SQLITE, MSSQL = _dialects()
