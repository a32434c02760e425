"""A DB-API connection plus its dialect, with one way to run statements and transactions.

Repositories receive a `Connection` and never open one; whoever opened it owns the transaction.
"""

from __future__ import annotations

import itertools
import logging
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from shared.db.dialect import Dialect
from shared.db.sqlite import StatementTimeout, WriteGate, begin_immediate, script_statements
from shared.platforms import Platform

log = logging.getLogger(__name__)

Row = dict[str, Any]

_TRANSACTION_IDS = itertools.count(1)  # unique in the process, never reused


class Connection:
    """Autocommit outside `transaction()`: a read never holds locks beyond its own statement."""

    def __init__(self, raw: Any, dialect: Dialect, statement_timeout: StatementTimeout | None = None,
                 write_gate: tuple[WriteGate, float] | None = None) -> None:
        # Any: sqlite3 and pyodbc connections share DB-API's shape but no common type.
        self.raw = raw
        self.dialect = dialect
        # SQLite only; pyodbc enforces its own `timeout` on every statement.
        self._statement_timeout = statement_timeout
        # SQLite only: the process's gate for the file, and how long to wait at it (SQL Server takes
        # concurrent writers and locks rows, so its transactions queue nowhere but in the server).
        self._write_gate = write_gate
        self._in_transaction = False
        self.transaction_id: int | None = None  # the open transaction's, else None

    # --- statements ------------------------------------------------------------------------------
    def query(
        self, name: str, params: Sequence[object] = (), platform: Platform | None = None
    ) -> list[Row]:
        with self._timed():
            cursor = self._run(name, params, platform)
            try:
                return _rows(cursor)
            finally:
                cursor.close()

    def query_one(
        self, name: str, params: Sequence[object] = (), platform: Platform | None = None
    ) -> Row | None:
        rows = self.query(name, params, platform)
        return rows[0] if rows else None

    def execute_count(
        self, name: str, params: Sequence[object] = (), platform: Platform | None = None
    ) -> int:
        """Run a data-changing statement and return how many rows it changed.

        SQLite's rowcount is exact. On SQL Server rowcount is -1 under SET NOCOUNT ON, so those
        statements end with `SELECT @@ROWCOUNT AS affected` and the count is read from the result.
        """
        with self._timed():
            cursor = self._run(name, params, platform)
            try:
                if self.dialect.name == "sqlite":
                    return int(cursor.rowcount)
                rows = _rows(cursor)
                return int(rows[-1]["affected"])
            finally:
                cursor.close()

    def execute_script(self, script: str) -> None:
        """Run a migration batch as written (no parameters)."""
        cursor = self.raw.cursor()
        try:
            if self.dialect.name == "sqlite":
                # Statement by statement, because executescript() commits first: it would end the
                # transaction the migrator runs scripts in.
                for statement in script_statements(script):
                    _execute_idempotently(cursor, statement)
            else:
                cursor.execute(script)
                while cursor.nextset():  # drain every result of the batch so errors surface
                    pass
        finally:
            cursor.close()

    def _timed(self) -> AbstractContextManager[object]:
        """The statement timeout around one statement, its rows fetched included (SQLite steps the
        statement while rows are fetched)."""
        return self._statement_timeout or nullcontext()

    def _run(self, name: str, params: Sequence[object], platform: Platform | None) -> Any:
        cursor = self.raw.cursor()
        try:
            cursor.execute(self.dialect.sql(name, platform), tuple(params))
        except BaseException:
            cursor.close()
            raise
        return cursor

    # --- transactions ----------------------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        return self._in_transaction

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: committed on success, rolled back on any exception.

        SQLite: BEGIN IMMEDIATE takes the write lock up front, so two writers serialise instead of
        failing later on lock upgrade. SQL Server: pyodbc runs in autocommit between transactions
        and switches it off here (pyodbc then opens the transaction implicitly).
        The exception that caused a rollback is the one raised, even when the rollback fails too.
        """
        if self._in_transaction:
            raise RuntimeError("nested transactions are not supported")
        self._in_transaction = True
        self.transaction_id = next(_TRANSACTION_IDS)
        failure: BaseException | None = None
        gate: WriteGate | None = None
        try:
            if self.dialect.name == "sqlite":
                gate = begin_immediate(self.raw, self._write_gate)
            else:
                self.raw.autocommit = False
            try:
                yield self
                self.raw.commit()
            except BaseException as error:
                # A failed commit leaves the transaction open (SQLite on SQLITE_BUSY): roll it back too.
                _clean_up(self.raw.rollback, "rollback", after=error)
                raise
        except BaseException as error:
            failure = error
            raise
        finally:
            if gate is not None:
                gate.leave()
            self._in_transaction = False
            self.transaction_id = None
            if self.dialect.name != "sqlite":
                _clean_up(self._autocommit_on, "restoring autocommit", after=failure)

    def _autocommit_on(self) -> None:
        self.raw.autocommit = True

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _clean_up(step: Callable[[], object], what: str, *, after: BaseException | None) -> None:
    """Run a clean-up step. After a failure, that failure is what the caller must see: a step that
    fails as well (the connection died, say) is logged rather than raised in its place."""
    if after is None:
        step()
        return
    try:
        step()
    except Exception:
        log.warning("%s failed; raising the original %s", what, type(after).__name__, exc_info=True)


_ADD_COLUMN = re.compile(r"^\s*(?:--[^\n]*\n\s*)*ALTER\s+TABLE\s+\S+\s+ADD\s+COLUMN\b", re.IGNORECASE)


def _execute_idempotently(cursor: Any, statement: str) -> None:
    """SQLite's ALTER TABLE ... ADD COLUMN has no IF NOT EXISTS: a column already there is what
    the statement asks for, so a migration run again (its record lost) still changes nothing."""
    try:
        cursor.execute(statement)
    except sqlite3.OperationalError as error:
        if not (_ADD_COLUMN.match(statement) and str(error).startswith("duplicate column name")):
            raise


def _rows(cursor: Any) -> list[Row]:
    if cursor.description is None:
        return []
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
