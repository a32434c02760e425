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

# Each platform as the dev tables have it, and without a creation time (the SPEC names none).
PLATFORMS = (*all_platforms(load_settings()),
             *all_platforms(load_settings(DATABRICKS_CREATED_COLUMN="", PALANTIR_CREATED_COLUMN="")))
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


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name + ("" if p.created_column else "-no-created"))
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


# --- typed parameters (DESIGN section 4, R2) -------------------------------------------------------
# pyodbc binds a str as NVARCHAR, which outranks VARCHAR: compared with a VARCHAR column, the column is
# converted (scans; under UPDLOCK, HOLDLOCK, range locks over the whole table).
_VARCHAR_COLUMN = re.compile(r"(?<![@\w])([A-Za-z_]\w*)\s+VARCHAR\((\d+)\)", re.IGNORECASE)
_OPERAND = r"(?:CAST\(\s*\?\s+AS\s+\w+\(\w+\)\s*\)|\?|@\w+)"
_COMPARISON = r"(?:<>|!=|<=|>=|=|<|>|\bNOT\s+LIKE\b|\bLIKE\b)"
_COLUMN = r"(?<![@\w])(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)"
_COLUMN_THEN_OPERAND = re.compile(rf"{_COLUMN}\s*{_COMPARISON}\s*({_OPERAND})", re.IGNORECASE)
_OPERAND_THEN_COLUMN = re.compile(rf"({_OPERAND})\s*{_COMPARISON}\s*{_COLUMN}", re.IGNORECASE)
_COLUMN_IN = re.compile(rf"{_COLUMN}\s+(?:NOT\s+)?IN\s*\(", re.IGNORECASE)
# Assignments are not comparisons: an UPDATE's SET list, a DECLARE's initial values.
_ASSIGNMENTS = re.compile(r"\bSET\s+(?!NOCOUNT\b).*?(?=\bOUTPUT\b|\bWHERE\b|;|\Z)|\bDECLARE\b[^;]*;",
                          re.IGNORECASE | re.DOTALL)


def varchar_columns() -> dict[str, set[int]]:
    """Every VARCHAR column the T-SQL migrations and statements create, with its lengths, by name."""
    texts = [path.read_text(encoding="utf-8") for path in TSQL_FILES] + list(MSSQL.statements.values())
    columns: dict[str, set[int]] = {}
    for text in texts:
        for name, length in _VARCHAR_COLUMN.findall(text):
            if name.upper() != "AS":
                columns.setdefault(name.lower(), set()).add(int(length))
    return columns


def _in_list(sql: str, start: int) -> list[str]:
    """The top-level items of the parenthesised list opening just before `start`."""
    depth, items, current = 1, [], ""
    for char in sql[start:]:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            break
        if char == "," and depth == 1:
            items.append(current.strip())
            current = ""
        else:
            current += char
    return [*items, current.strip()]


def untyped_varchar_comparisons(sql: str, columns: dict[str, set[int]]) -> list[str]:
    """Each `?` (or variable) compared with a VARCHAR column without that column's type."""
    sql = sql.replace("[", "").replace("]", "")
    declared = {name.lower(): f"{kind}({size})".upper() for name, kind, size in
                re.findall(r"(@\w+)\s+(N?VARCHAR)\((\w+)\)", sql, re.IGNORECASE)}
    compared = _ASSIGNMENTS.sub(" ", sql)
    pairs = [(m.group(1), m.group(2)) for m in _COLUMN_THEN_OPERAND.finditer(compared)]
    pairs += [(m.group(2), m.group(1)) for m in _OPERAND_THEN_COLUMN.finditer(compared)]
    for match in _COLUMN_IN.finditer(compared):
        items = _in_list(compared, match.end())
        if not items[0].upper().startswith("SELECT"):
            pairs += [(match.group(1), item) for item in items if "?" in item or item.startswith("@")]
    problems = []
    for column, operand in pairs:
        lengths = columns.get(column.lower())
        if lengths is None:
            continue
        typed = declared.get(operand.lower()) if operand.startswith("@") else (
            re.sub(r"\s+", "", operand).upper().removeprefix("CAST(?AS").removesuffix(")"))
        if typed not in {f"VARCHAR({n})" for n in lengths}:
            problems.append(f"{column} compared with {operand} (a VARCHAR({'/'.join(map(str, sorted(lengths)))}))")
    return problems


def test_the_typing_check_tells_typed_from_untyped_comparisons() -> None:
    # Guards the check itself: it must see each form of comparison, and accept only the column's type.
    columns = {"status": {20}, "job_type": {50}}
    assert untyped_varchar_comparisons("SELECT 1 FROM t u WHERE u.[Status] = ? AND Job_Type IN (?, ?)", columns) == [
        "Status compared with ? (a VARCHAR(20))", "Job_Type compared with ? (a VARCHAR(50))",
        "Job_Type compared with ? (a VARCHAR(50))"]
    assert untyped_varchar_comparisons("SELECT 1 FROM t WHERE ? <> Status OR Status LIKE ?", columns) == [
        "Status compared with ? (a VARCHAR(20))", "Status compared with ? (a VARCHAR(20))"]
    assert untyped_varchar_comparisons("SELECT 1 FROM t WHERE Status = CAST(? AS NVARCHAR(20))", columns)
    assert untyped_varchar_comparisons("SELECT 1 FROM t WHERE Status = CAST(? AS VARCHAR(50))", columns)
    assert untyped_varchar_comparisons("DECLARE @s NVARCHAR(20) = ?; SELECT 1 FROM t WHERE Status = @s", columns)
    assert not untyped_varchar_comparisons(
        "DECLARE @s VARCHAR(20) = ?; UPDATE t SET Status = ?, Job_Type = ? "
        "WHERE Status = @s AND Job_Type IN (CAST(? AS VARCHAR(50)), CAST(? AS VARCHAR(50))) "
        "AND Id IN (SELECT value FROM OPENJSON(?))", columns)


def test_the_typing_check_knows_the_varchar_columns_from_the_migrations() -> None:
    columns = varchar_columns()
    for name, length in [("status", 20), ("job_type", 50), ("notification_type", 50), ("request_key", 64),
                         ("request_number", 50)]:
        assert length in columns[name], name


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name + ("" if p.created_column else "-no-created"))
def test_every_string_compared_with_a_varchar_column_is_cast_to_its_type(platform: object) -> None:
    columns = varchar_columns()
    problems = {name: found for name in sorted(MSSQL.statements)
                if (found := untyped_varchar_comparisons(MSSQL.sql(name, platform), columns))}  # type: ignore[arg-type]

    assert problems == {}


def test_openjson_reads_its_list_as_nvarchar_max_never_ntext() -> None:
    # Past 4,000 bytes pyodbc sends a str as ntext, which OPENJSON refuses (and UTF-8 collations reject).
    using = {name: MSSQL.sql(name, platform) for name in MSSQL.statements for platform in PLATFORMS
             if "OPENJSON" in MSSQL.sql(name, platform).upper()}

    assert using, "no statement uses OPENJSON: this test would check nothing"
    for name, sql in using.items():
        calls = [_in_list(sql, m.end()) for m in re.finditer(r"OPENJSON\s*\(", sql, re.IGNORECASE)]
        assert all(re.sub(r"\s+", " ", args[0]).upper() == "CAST(? AS NVARCHAR(MAX))" for args in calls), name


def test_every_output_clause_goes_into_a_table_variable() -> None:
    # OUTPUT to the client fails (Msg 334) once the table has an enabled trigger.
    clause = re.compile(r"\bOUTPUT\s+(?:(?:INSERTED|DELETED)\.\w+(?:\s+AS\s+\w+)?\s*,?\s*)+(\w+)(\s+@\w+)?",
                        re.IGNORECASE)
    seen = 0
    for name in MSSQL.statements:
        for platform in PLATFORMS:
            for match in clause.finditer(MSSQL.sql(name, platform)):
                seen += 1
                assert match.group(1).upper() == "INTO" and match.group(2), f"{name}: {match.group(0)!r}"
    assert seen, "no OUTPUT clause found: this test would check nothing"


def test_durations_reach_dateadd_as_whole_milliseconds() -> None:
    # `CAST(? * 1000 AS INT)` overflowed past ~24.8 days; the parameter is an int of milliseconds.
    uses = [(name, arguments) for name in MSSQL.statements
            for arguments in re.findall(r"DATEADD\(\s*MILLISECOND\s*,\s*([^,]+),", MSSQL.statements[name])]

    assert uses
    assert [(name, a) for name, a in uses if not re.fullmatch(r"\?|@\w+", a.strip())] == []


def test_the_revoke_cutoff_is_a_datetime_as_revoked_dt_stores_it() -> None:
    # Revoked_Dt is DATETIME (1/300 s): the cutoff is read at that precision and passed back as such.
    assert re.sub(r"\s+", " ", MSSQL.sql("revoke.cutoff")) == "SELECT CAST(SYSUTCDATETIME() AS DATETIME) AS cutoff"
    for platform in PLATFORMS:
        for name, cutoffs in (("revoke.insert_revocations", 2), ("revoke.mark_revoked", 1)):
            assert MSSQL.sql(name, platform).count("CAST(? AS DATETIME)") == cutoffs, name


@pytest.mark.parametrize("platform", PLATFORMS[:2], ids=lambda p: p.name)
def test_a_run_s_outcome_records_are_labelled_by_a_seek_on_the_request_key(platform: object) -> None:
    # The key column is compared as it is (its type outranks the stored VARCHAR, which is converted):
    # wrapping the key in a CAST would scan the platform table once per outcome record.
    sql = MSSQL.sql("job_items.of_job", platform)  # type: ignore[arg-type]
    key = platform.key.sql  # type: ignore[attr-defined]
    assert f"u.[{key}] = i.Request_Key" in sql and "CAST(u." not in sql
