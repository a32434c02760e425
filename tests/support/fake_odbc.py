"""Fakes for the SQL Server path without a SQL Server: pyodbc's errors worded as pyodbc words them,
and a raw connection whose statements answer from a script."""

from __future__ import annotations

from typing import Any

DRIVER = "[Microsoft][ODBC Driver 18 for SQL Server]"


class FakeOdbcError(Exception):
    """pyodbc.Error's shape: args are (SQLSTATE, message)."""


def odbc_error(
    sqlstate: str, text: str, native: int, *, function: str = "SQLExecDirectW", server: bool = True,
    later_records: tuple[tuple[str, int], ...] = (),
) -> FakeOdbcError:
    """As pyodbc builds it: "[state] text (native) (function)", then "; [state] text (native)" for
    each later diagnostic record. `server`: the text comes from SQL Server, not from the driver."""
    source = DRIVER + ("[SQL Server]" if server else "")
    message = f"[{sqlstate}] {source}{text} ({native}) ({function})"
    message += "".join(f"; [{sqlstate}] {source}{more} ({number})" for more, number in later_records)
    return FakeOdbcError(sqlstate, message)


def deadlock_victim() -> FakeOdbcError:
    return odbc_error("40001", "Transaction (Process ID 57) was deadlocked on lock resources with another "
                      "process and has been chosen as the deadlock victim. Rerun the transaction.", 1205)


def link_failure() -> FakeOdbcError:
    return odbc_error("08S01", "Communication link failure", 0, server=False)


Outcome = list[dict[str, Any]] | BaseException


class FakeCursor:
    def __init__(self, conn: FakeRawConnection) -> None:
        self._conn = conn
        self._rows: list[dict[str, Any]] = []
        self.description: list[tuple[str]] | None = None

    def execute(self, sql: str, params: tuple[object, ...] = ()) -> None:
        self._conn.events.append("execute")
        self._conn.executed.append(sql)
        outcome = self._conn.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        self._rows = outcome
        self.description = [(name,) for name in (outcome[0] if outcome else {"column": None})]

    def fetchall(self) -> list[tuple[object, ...]]:
        return [tuple(row.values()) for row in self._rows]

    def close(self) -> None:
        pass


class FakeRawConnection:
    """A pyodbc connection: each execute takes the next outcome (rows, or an error to raise).

    `commit_error`/`rollback_error`/`autocommit_error`: what commit, rollback and setting autocommit
    raise, as on a connection that died."""

    def __init__(self, *outcomes: Outcome) -> None:
        self.outcomes = list(outcomes)
        self.events: list[str] = []
        self.executed: list[str] = []
        self.commit_error: BaseException | None = None
        self.rollback_error: BaseException | None = None
        self.autocommit_error: BaseException | None = None
        self._autocommit = True

    @property
    def autocommit(self) -> bool:
        return self._autocommit

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        if self.autocommit_error is not None:
            raise self.autocommit_error
        self.events.append(f"autocommit={value}")
        self._autocommit = value

    def cursor(self) -> FakeCursor:
        return FakeCursor(self)

    def commit(self) -> None:
        if self.commit_error is not None:
            raise self.commit_error
        self.events.append("commit")

    def rollback(self) -> None:
        if self.rollback_error is not None:
            raise self.rollback_error
        self.events.append("rollback")

    def close(self) -> None:
        self.events.append("close")
