"""What differs between the two database engines, apart from the SQL text itself.

The SQL text lives in `shared/queries/<dialect>.py`, one named statement per entry, with the same
names and the same `?` parameters in the same order in both dialects.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.platforms import Platform

# pyodbc words each ODBC diagnostic record "[SQLSTATE] text (native)"; the first record also ends
# with the failed ODBC function, and later records (read on Windows only) follow after "; ".
# The number is read at those anchors only, never wherever a parenthesised number appears: the text
# carries data (a duplicate key value, an object name) that can look like an error number. Greedy
# `.*`: the first record's real end is the last such anchor, after any data in its text.
_FIRST_RECORD_NATIVE = re.compile(r".*\((-?\d+)\) \(SQL\w+\)(?=; \[|$)", re.DOTALL)
_LATER_RECORD_NATIVE = re.compile(r"\((-?\d+)\)(?=; \[[0-9A-Z]{5}\] |$)")
_SQLSTATE = re.compile(r"[0-9A-Z]{5}")
# SQL Server: 2601 duplicate key in a unique index, 2627 unique/primary key constraint violation.
_MSSQL_DUPLICATE_KEY = frozenset({2601, 2627})
_MSSQL_DEADLOCK_VICTIM = 1205
# The session is gone: TCP provider errors (233 no process on the other end of the pipe, 10053
# aborted, 10054 reset, 10060 timed out), 40197 failover, 40613 database unavailable, 40143 and
# 40540 the service dropped the request.
_MSSQL_CONNECTION_LOST = frozenset({233, 10053, 10054, 10060, 40143, 40197, 40540, 40613})
# pyodbc's own errors for a closed connection (no SQLSTATE, no native number).
_PYODBC_CLOSED = frozenset({"Attempt to use a closed connection.", "The cursor's connection has been closed."})
# sqlite3's own error for a closed connection (no result code).
_SQLITE_CLOSED = "Cannot operate on a closed database."
# SQLite primary result codes after which this connection is of no further use, but a new one may
# well be (extended codes such as SQLITE_IOERR_SHORT_READ carry the primary code in the low byte).
_SQLITE_CONNECTION_CODES = frozenset({sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR})


def odbc_sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a pyodbc error: pyodbc puts it in `args[0]`, the message in `args[1]`."""
    state = error.args[0] if len(error.args) > 1 else None
    return state if isinstance(state, str) and _SQLSTATE.fullmatch(state) else None


def odbc_native_errors(error: BaseException) -> tuple[int, ...]:
    """The native error numbers of a pyodbc error's diagnostic records, first record first."""
    message = error.args[1] if len(error.args) > 1 else None
    if odbc_sqlstate(error) is None or not isinstance(message, str):
        return ()
    first = _FIRST_RECORD_NATIVE.match(message)
    if first is None:
        return ()
    later = _LATER_RECORD_NATIVE.findall(message, first.end())
    return (int(first.group(1)), *(int(number) for number in later))


@dataclass(frozen=True)
class Dialect:
    name: str
    statements: Mapping[str, str] = field(repr=False)
    quote_open: str
    quote_close: str
    now: str  # the database clock as an expression, for statements assembled here

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
        insert_values = ["?" for _ in insert_columns]
        key = q(platform.key.sql)
        # The creation time is a mapped column that may be absent (DESIGN section 3, R2): then
        # createdAt is NULL, a create sets none, and the newest come first by key.
        created = platform.created_column
        if created is not None:
            insert_columns.append(created)
            insert_values.append(self.now)
        return template.format(
            insert_columns=", ".join(q(c) for c in insert_columns),
            insert_values=", ".join(insert_values),
            requests=q(platform.requests_table),
            key=key,
            email=q(platform.email_column),
            expires=q(platform.expiry_column),
            status=q(platform.status_column),
            created_at="NULL" if created is None else f"u.{q(created)}",
            newest_first=f"u.{key} DESC" if created is None else f"u.{q(created)} DESC, u.{key} DESC",
            notifications=q(platform.notification_table),
            notification_fk=q(platform.notification_fk),
            revoked=q(platform.revoked_table),
            revoked_fk=q(platform.revoked_fk),
            fields="".join(f", u.{q(c.sql)}" for c in platform.fields),
            label=q(platform.label_column),
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

    def milliseconds_param(self, seconds: float) -> int:
        """A duration as whole milliseconds: T-SQL's DATEADD takes an INT (the settings bound
        durations to a day, far inside it), and both dialects take the same parameter."""
        return round(seconds * 1000)

    def uuid_param(self, value: uuid.UUID | str) -> str:
        return str(uuid.UUID(str(value)))

    def is_duplicate_key(self, error: BaseException) -> bool:
        if self.name == "sqlite":
            return isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error)
        return not _MSSQL_DUPLICATE_KEY.isdisjoint(odbc_native_errors(error))

    def is_deadlock(self, error: BaseException) -> bool:
        """Chosen as deadlock victim: the server rolled the whole transaction back.

        Never on SQLite: BEGIN IMMEDIATE takes the one write lock up front, so writers queue."""
        return self.name != "sqlite" and _MSSQL_DEADLOCK_VICTIM in odbc_native_errors(error)

    def is_connection_error(self, error: BaseException) -> bool:
        """The connection is dead (dropped, failed over, closed): reopen it rather than reuse it."""
        if self.name == "sqlite":
            if isinstance(error, sqlite3.ProgrammingError):
                return str(error) == _SQLITE_CLOSED
            code = getattr(error, "sqlite_errorcode", None)  # sqlite3.Error's extended result code
            return isinstance(code, int) and code & 0xFF in _SQLITE_CONNECTION_CODES
        state = odbc_sqlstate(error)
        return (
            (state is not None and state.startswith("08"))  # SQLSTATE class 08: connection exception
            or not _MSSQL_CONNECTION_LOST.isdisjoint(odbc_native_errors(error))
            or any(isinstance(arg, str) and arg in _PYODBC_CLOSED for arg in error.args)
        )


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
        Dialect("sqlite", sqlite.STATEMENTS, *sqlite.QUOTE, sqlite.NOW),
        Dialect("mssql", mssql.STATEMENTS, *mssql.QUOTE, mssql.NOW),
    )


SQLITE, MSSQL = _dialects()
