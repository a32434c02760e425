"""Classifying database errors: native numbers read where pyodbc puts them, on both dialects."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from shared.db import MSSQL, SQLITE, connect
from shared.db.dialect import odbc_native_errors
from shared.settings import Settings
from tests.conftest import make_settings
from tests.support.fake_odbc import FakeOdbcError, deadlock_victim, link_failure, odbc_error

DUPLICATE_ROW = ("Cannot insert duplicate key row in object 'dbo.JobRun' with unique index "
                 "'UX_JobRun_InProgress'. The duplicate key value is ({value}).")


def duplicate_row(value: str = "RevokeExpiredDatabricks") -> FakeOdbcError:
    return odbc_error("23000", DUPLICATE_ROW.format(value=value), 2601)


def test_native_errors_are_read_at_each_diagnostic_records_end_only() -> None:
    # Given a duplicate key error whose value looks like an error number and the function name too,
    # followed by a second diagnostic record (pyodbc reads those on Windows)
    error = odbc_error("23000", DUPLICATE_ROW.format(value="40613) (SQLExecDirectW"), 2601,
                       later_records=(("The statement has been terminated.", 3621),))

    assert odbc_native_errors(error) == (2601, 3621)


def test_errors_without_pyodbcs_shape_have_no_native_numbers() -> None:
    assert odbc_native_errors(Exception("Database unavailable (40613) (SQLExecDirectW)")) == ()
    assert odbc_native_errors(sqlite3.OperationalError("no such table: x (1205) (SQLExecDirectW)")) == ()
    assert odbc_native_errors(FakeOdbcError("HY000", "The driver did not supply an error!")) == ()


@pytest.mark.parametrize(
    "error",
    [
        duplicate_row(),
        odbc_error("23000", "Violation of PRIMARY KEY constraint 'PK_JobRun'. Cannot insert duplicate key "
                   "in object 'dbo.JobRun'. The duplicate key value is (1205).", 2627),
    ],
    ids=["2601", "2627"],
)
def test_sql_server_duplicate_key_is_recognised_by_its_number(error: FakeOdbcError) -> None:
    assert MSSQL.is_duplicate_key(error)
    assert not MSSQL.is_deadlock(error)


@pytest.mark.parametrize(
    "error",
    [
        odbc_error("22018", "Conversion failed when converting the varchar value '2627' to data type int.", 245),
        odbc_error("22001", "String or binary data would be truncated in table 'd.dbo.JobRun', column "
                   "'Error_Message'. Truncated value: 'Lock 2601 lost'.", 2628),
    ],
    ids=["converted-value", "truncated-value"],
)
def test_a_duplicate_key_number_elsewhere_in_the_message_is_not_a_duplicate_key(error: FakeOdbcError) -> None:
    assert not MSSQL.is_duplicate_key(error)


def test_sql_server_deadlock_victim_is_recognised_by_its_number() -> None:
    assert MSSQL.is_deadlock(deadlock_victim())
    assert not MSSQL.is_deadlock(duplicate_row("1205"))


def test_sqlite_never_reports_a_deadlock() -> None:
    assert not SQLITE.is_deadlock(sqlite3.OperationalError("database is locked"))
    assert not SQLITE.is_deadlock(deadlock_victim())


@pytest.mark.parametrize(
    "error",
    [
        link_failure(),
        odbc_error("08S01", "TCP Provider: Error code 0x68", 104, server=False),  # Linux ECONNRESET
        *(odbc_error("HY000", f"TCP Provider: Error code {number:#x}", number, server=False)
          for number in (233, 10053, 10054, 10060)),
        odbc_error("HY000", "The service has encountered an error processing your request. Please try again.",
                   40197),
        odbc_error("HY000", "Database 'd' on server 's' is not currently available.", 40613),
        FakeOdbcError("Attempt to use a closed connection."),
        FakeOdbcError("The cursor's connection has been closed."),
    ],
    ids=["08S01", "08S01-104", "233", "10053", "10054", "10060", "40197", "40613", "closed", "cursor-closed"],
)
def test_sql_server_connection_errors_are_recognised(error: FakeOdbcError) -> None:
    assert MSSQL.is_connection_error(error)


@pytest.mark.parametrize(
    "error",
    [
        duplicate_row("40613"),
        duplicate_row("closed connection"),
        deadlock_victim(),
        odbc_error("HYT00", "Query timeout expired", 0, server=False),
    ],
    ids=["number-in-value", "text-in-value", "deadlock", "query-timeout"],
)
def test_sql_server_errors_of_a_live_connection_are_not_connection_errors(error: FakeOdbcError) -> None:
    assert not MSSQL.is_connection_error(error)


def test_sqlite_closed_connection_is_a_connection_error(settings: Settings) -> None:
    # Given a connection whose raw sqlite3 connection was closed under it
    conn = connect(settings)
    conn.raw.close()

    # When it is used
    with pytest.raises(sqlite3.ProgrammingError) as raised:
        conn.query("clock.now")

    # Then the error says reopen
    assert SQLITE.is_connection_error(raised.value)


def test_sqlite_unopenable_database_is_a_connection_error(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.OperationalError) as raised:
        connect(make_settings(tmp_path, SQLITE_PATH=str(tmp_path)))  # a directory, not a file

    assert SQLITE.is_connection_error(raised.value)


def test_sqlite_errors_of_a_live_connection_are_not_connection_errors(settings: Settings) -> None:
    with connect(settings) as conn, pytest.raises(sqlite3.OperationalError) as raised:
        conn.execute_script("SELECT * FROM no_such_table")

    assert not SQLITE.is_connection_error(raised.value)
    assert not SQLITE.is_connection_error(sqlite3.OperationalError("database is locked"))
    assert not SQLITE.is_connection_error(sqlite3.ProgrammingError("Cannot operate on a closed cursor."))
