"""A stand-in for a pyodbc connection to SQL Server: it answers the project's named T-SQL
statements from canned rows and records every statement it was sent (there is no SQL Server here)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.db.dialect import MSSQL
from shared.migrate import migrations_for
from shared.platforms import all_platforms
from shared.settings import Settings, load_settings

Rows = list[dict[str, Any]]


def healthy_answers() -> dict[str, Rows]:
    """A current, writable SQL Server database at compatibility level 150."""
    return {
        "database.properties": [{"compatibility_level": 150, "updateability": "READ_WRITE"}],
        "migrations.table_exists": [{"present": 1}],
        "migrations.applied": [{"Name": m.name, "Checksum": m.checksum} for m in migrations_for("mssql")],
        "health.write_access": [],
    }


class FakeSqlServer:
    def __init__(self, answers: dict[str, Rows], settings: Settings) -> None:
        # By the SQL text the app sends: each statement as rendered for no platform and for each.
        self.answers = {
            MSSQL.sql(name, platform): rows
            for name, rows in answers.items()
            for platform in (None, *all_platforms(settings))
        }
        self.executed: list[str] = []
        self.timeout: int | None = None
        self.autocommit = True

    def names_executed(self) -> list[str]:
        by_text = {MSSQL.sql(name): name for name in MSSQL.statements}
        return [by_text.get(sql, "(other)") for sql in self.executed]

    def cursor(self) -> FakeCursor:
        return FakeCursor(self)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


class FakeCursor:
    def __init__(self, server: FakeSqlServer) -> None:
        self.server = server
        self.description: list[tuple[str]] | None = None
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, sql: str, params: tuple[object, ...] = ()) -> None:
        self.server.executed.append(sql)
        rows = self.server.answers.get(sql, [])
        self.description = [(column,) for column in rows[0]] if rows else None
        self._rows = [tuple(row.values()) for row in rows]

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._rows

    def nextset(self) -> bool:
        return False

    def close(self) -> None:
        pass


MSSQL_SETTINGS = {"DB_BACKEND": "mssql", "SQL_CONNECTION_STRING": "Driver={ODBC Driver 18 for SQL Server};Server=x"}


def fake_sqlserver(monkeypatch: pytest.MonkeyPatch, answers: dict[str, Rows] | None = None) -> FakeSqlServer:
    """Every SQL Server connection the app opens from now on reaches this one fake server, which
    answers as a healthy database except where `answers` (by statement name) say otherwise."""
    server = FakeSqlServer(healthy_answers() | (answers or {}), load_settings(**MSSQL_SETTINGS))
    monkeypatch.setattr("shared.db.mssql.connect_mssql", lambda connection_string: server)
    return server
