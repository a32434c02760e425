"""Everything the app can send to Azure SQL, and every T-SQL migration, parses as T-SQL.

There is no SQL Server here, so sqlfluff's tsql dialect is the check. It takes `@name`
parameters, not pyodbc's `?`, so those are numbered first.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlfluff
from sqlfluff.api.simple import APIParsingError

from shared.db.dialect import MSSQL, SQLITE
from shared.migrate import SQL_ROOT, batches
from shared.platforms import all_platforms
from shared.settings import load_settings

PLATFORMS = all_platforms(load_settings())
PLATFORM_STATEMENTS = sorted(name for name, text in MSSQL.statements.items() if "{" in text)
PLAIN_STATEMENTS = sorted(name for name, text in MSSQL.statements.items() if "{" not in text)
# The grants script takes sqlcmd variables; tests/test_infra.py parses it with them filled in.
TSQL_FILES = sorted(p for p in SQL_ROOT.glob("mssql/**/*.sql") if "grants" not in p.parts)


def with_named_parameters(sql: str) -> str:
    counter = iter(range(1, 1000))
    return re.sub(r"\?", lambda _: f"@p{next(counter)}", sql)


def assert_parses_as_tsql(sql: str) -> None:
    try:
        sqlfluff.parse(sql, dialect="tsql")
    except APIParsingError as error:  # pragma: no cover - the message is the point
        pytest.fail(f"not valid T-SQL:\n{sql}\n{error}")


@pytest.mark.parametrize("name", PLAIN_STATEMENTS)
def test_statement_parses_as_tsql(name: str) -> None:
    assert_parses_as_tsql(with_named_parameters(MSSQL.sql(name)))


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
@pytest.mark.parametrize("name", PLATFORM_STATEMENTS)
def test_platform_statement_parses_as_tsql(name: str, platform: object) -> None:
    assert_parses_as_tsql(with_named_parameters(MSSQL.sql(name, platform)))  # type: ignore[arg-type]


@pytest.mark.parametrize("path", TSQL_FILES, ids=lambda p: p.relative_to(SQL_ROOT).as_posix())
def test_migration_batches_parse_as_tsql(path: Path) -> None:
    for batch in batches(path.read_text(encoding="utf-8")):
        assert_parses_as_tsql(batch)


def test_the_parser_rejects_invalid_tsql() -> None:
    # Guards the check itself: a parser that accepted anything would make the tests above empty.
    with pytest.raises(pytest.fail.Exception):
        assert_parses_as_tsql("SELECT TOP (1) FROM WHERE JobRun = ;")
    with pytest.raises(pytest.fail.Exception):
        assert_parses_as_tsql(with_named_parameters(SQLITE.sql("lock.insert_if_free")))


def test_both_dialects_name_the_same_statements_with_the_same_parameters() -> None:
    assert MSSQL.statements.keys() == SQLITE.statements.keys()
    for platform in PLATFORMS:
        for name in MSSQL.statements:
            assert MSSQL.sql(name, platform).count("?") == SQLITE.sql(name, platform).count("?"), name
