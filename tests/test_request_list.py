"""The All Requests list's search, filters, sorts and keyset paging, and the create's duplicate
number (DESIGN section 6, R2), through the registered functions on a temporary SQLite file."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from shared.db import Connection, connect
from shared.platforms import Platform, get_platform
from shared.repositories.access_requests import create_request, database_now
from shared.settings import Settings
from tests.http_support import Reply, invoke

LIST = "databricks_list_access_requests"


@pytest.fixture
def conn(api_settings: Settings) -> Iterator[Connection]:
    with connect(api_settings) as connection:
        yield connection


def databricks(settings: Settings) -> Platform:
    platform = get_platform(settings, "databricks")
    assert platform is not None
    return platform


def add(conn: Connection, settings: Settings, number: str | None, *, email: str = "ann@example.com",
        name: str = "Ann Lee", days: float | None = 30, status: str | None = None, created_minutes_ago: int = 0) -> int:
    """A Databricks request `days` from now (None: never expires), created that many minutes ago."""
    platform = databricks(settings)
    now = database_now(conn)
    key = create_request(conn, platform, email=email, status=status,
                         expires_on=None if days is None else now + timedelta(days=days),
                         fields={"requestNumber": number, "requestType": "Read", "requestedBy": name})
    created = conn.dialect.datetime_param(now - timedelta(minutes=created_minutes_ago))
    conn.raw.execute("UPDATE DataAccessDeltaRequests SET created_at = ? WHERE id = ?", (created, key))
    assert isinstance(key, int)
    return key


def listed(**params: object) -> Reply:
    return invoke(LIST, "?" + urlencode(params) if params else "")


def numbers(reply: Reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [item["requestNumber"] for item in reply.json()]


def problem_field(reply: Reply) -> list[str]:
    assert (reply.status, reply.mimetype) == (400, "application/problem+json"), reply.body
    return [error["field"] for error in reply.json()["errors"]]


# --- q ---------------------------------------------------------------------------------------------
def test_q_matches_a_substring_of_the_number_the_email_or_the_name_in_any_case(
        api_settings: Settings, conn: Connection) -> None:
    # Given requests that differ in number, email and name
    add(conn, api_settings, "DBX-1002", email="zed@example.com", name="Zed Ray")
    add(conn, api_settings, "DBX-2000", email="Ann.Lee@Example.com", name="Zed Ray")
    add(conn, api_settings, "DBX-3000", email="bo@example.com", name="Mary LEEDS")
    add(conn, api_settings, "DBX-4000", email="cy@example.com", name="Cy Young")

    # When searching, Then each matches where the text appears, whatever its case
    assert numbers(listed(q="x-100", sort="number")) == ["DBX-1002"]
    assert numbers(listed(q="ann.lee", sort="number")) == ["DBX-2000"]
    assert numbers(listed(q="LEE", sort="number")) == ["DBX-2000", "DBX-3000"]
    assert listed(q="LEE").headers["X-Total-Count"] == "2"
    assert numbers(listed(q="  ", sort="number")) == ["DBX-1002", "DBX-2000", "DBX-3000", "DBX-4000"]  # blank: all


def test_q_takes_wildcard_characters_literally(api_settings: Settings, conn: Connection) -> None:
    # Given numbers that LIKE's wildcards would confuse
    add(conn, api_settings, "A%B_C\\D")
    add(conn, api_settings, "AXBYC-D")

    # When searching for the wildcard characters themselves, Then only the literal match is found
    assert numbers(listed(q="%b_c\\")) == ["A%B_C\\D"]
    assert numbers(listed(q="_")) == ["A%B_C\\D"]


def test_palantir_q_searches_the_project_and_email_but_not_the_justification(api_settings: Settings) -> None:
    # Given Palantir requests, one with the word only in its justification
    base = {"requestType": "Viewer", "requestedByEmail": "ann@example.com", "expiresInDays": 5}
    invoke("palantir_create_access_request", body={**base, "projectId": "PRJ-ORION"})
    invoke("palantir_create_access_request", body={**base, "projectId": "PRJ-2", "justification": "orion work"})

    # When searching for it, Then only the project matches
    reply = invoke("palantir_list_access_requests", "?q=orion")
    assert [item["projectId"] for item in reply.json()] == ["PRJ-ORION"]


# --- status and expiry ------------------------------------------------------------------------------
def test_status_filters_split_active_at_its_expiry_and_items_say_when_an_active_one_has_expired(
        api_settings: Settings, conn: Connection) -> None:
    # Given an Active request ahead of expiry, one never expiring, one past expiry and a revoked one
    platform = databricks(api_settings)
    add(conn, api_settings, "AHEAD", days=3)
    add(conn, api_settings, "NEVER", days=None)
    add(conn, api_settings, "PAST", days=-1)
    add(conn, api_settings, "GONE", days=-5, status=platform.revoked_status)

    # When filtering by each status, Then the three are disjoint
    assert sorted(numbers(listed(status="Active"))) == ["AHEAD", "NEVER"]
    assert numbers(listed(status="Expired")) == ["PAST"]
    assert numbers(listed(status="Revoked")) == ["GONE"]
    assert listed(status="Active").headers["X-Total-Count"] == "2"
    # And only the Active one past its expiry is flagged expired (awaiting revoke)
    flagged = {item["requestNumber"]: item["expired"] for item in listed().json()}
    assert flagged == {"AHEAD": False, "NEVER": False, "PAST": True, "GONE": False}


def test_expires_within_days_takes_those_expiring_from_now_to_then(api_settings: Settings, conn: Connection) -> None:
    # Given expiries already past, in 2 and 9 days, and never
    for number, days in [("PAST", -1.0), ("SOON", 2.0), ("LATER", 9.0), ("NEVER", None)]:
        add(conn, api_settings, number, days=days)

    # When asking for those expiring within 7 days (alone, then with a status), Then only SOON
    assert numbers(listed(expiresWithinDays=7)) == ["SOON"]
    assert numbers(listed(expiresWithinDays=7, status="Active")) == ["SOON"]
    assert numbers(listed(expiresWithinDays=7, status="Expired")) == []
    assert sorted(numbers(listed(expiresWithinDays=10))) == ["LATER", "SOON"]


# --- sorts -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("sort", "expected"), [
    ("created", ["B", "C", "A"]), ("-created", ["A", "C", "B"]),
    ("expires", ["C", "A", "B"]), ("-expires", ["B", "A", "C"]),
    ("number", ["A", "B", "C"]), ("-number", ["C", "B", "A"]),
])
def test_each_sort_orders_both_ways(api_settings: Settings, conn: Connection, sort: str, expected: list[str]) -> None:
    # Given requests whose creation, expiry and number orders all differ
    add(conn, api_settings, "A", days=10, created_minutes_ago=1)
    add(conn, api_settings, "B", days=20, created_minutes_ago=30)
    add(conn, api_settings, "C", days=5, created_minutes_ago=10)

    # When sorted, Then in that order
    assert numbers(listed(sort=sort)) == expected


def test_a_missing_number_sorts_first_and_ties_go_by_key(api_settings: Settings, conn: Connection) -> None:
    first, second = add(conn, api_settings, "SAME"), add(conn, api_settings, "SAME")
    missing = add(conn, api_settings, None)
    conn.raw.execute("UPDATE DataAccessDeltaRequests SET request_number = NULL WHERE id = ?", (missing,))

    assert [item["id"] for item in listed(sort="number").json()] == [missing, first, second]
    assert [item["id"] for item in listed(sort="-number").json()] == [second, first, missing]


# --- keyset paging -------------------------------------------------------------------------------------
def walk(**params: object) -> tuple[list[str], int]:
    """Every page from the first by X-Next-Cursor: the numbers in order, and how many pages."""
    seen: list[str] = []
    pages = 0
    cursor: str | None = None
    while True:
        reply = listed(**params, **({"cursor": cursor} if cursor else {}))
        seen += numbers(reply)
        pages += 1
        cursor = reply.headers.get("X-Next-Cursor")
        if cursor is None:
            return seen, pages


@pytest.mark.parametrize("sort", ["-created", "created", "expires", "-expires", "number", "-number"])
def test_keyset_pages_give_every_request_once_and_the_last_page_has_no_cursor(
        api_settings: Settings, conn: Connection, sort: str) -> None:
    # Given 11 requests, some sharing a creation time and an expiry (ties go by key)
    for n in range(11):
        add(conn, api_settings, f"N{n:02d}", days=n // 3 + 1, created_minutes_ago=n // 2)

    # When walking pages of 3, Then every request comes once, in the sort's order, in 4 pages
    seen, pages = walk(sort=sort, limit=3)
    assert pages == 4 and sorted(seen) == [f"N{n:02d}" for n in range(11)]
    assert seen == numbers(listed(sort=sort))


def test_keyset_pages_neither_repeat_nor_skip_while_requests_are_created_between_them(
        api_settings: Settings, conn: Connection) -> None:
    # Given 6 requests, sorted by expiry, and the first page of 2
    for n in range(6):
        add(conn, api_settings, f"OLD{n}", days=10 * (n + 1))
    first = listed(sort="expires", limit=2)
    seen = numbers(first)
    cursor = first.headers["X-Next-Cursor"]

    # When requests are created before, between and after the pages' positions as they are read
    while cursor:
        for days in (1, 35, 100):
            add(conn, api_settings, f"NEW{days}-{len(seen)}", days=days)
        page = listed(sort="expires", limit=2, cursor=cursor)
        seen += [number for number in numbers(page) if number.startswith("OLD")]
        cursor = page.headers.get("X-Next-Cursor", "")

    # Then each request that was there from the start came exactly once, in order
    assert seen == [f"OLD{n}" for n in range(6)]


def test_a_cursor_combines_with_limit_and_offset(api_settings: Settings, conn: Connection) -> None:
    for n in range(8):
        add(conn, api_settings, f"N{n}")
    cursor = listed(sort="number", limit=2).headers["X-Next-Cursor"]

    # When an offset is given with the cursor, Then it skips that many after the cursor's position
    after = listed(sort="number", limit=3, offset=1, cursor=cursor)
    assert numbers(after) == ["N3", "N4", "N5"]
    assert after.headers["X-Total-Count"] == "8"
    # And limit/offset alone still page as before, newest first by default
    assert numbers(listed(limit=2, offset=6)) == ["N1", "N0"]


def test_a_damaged_or_foreign_cursor_is_a_400_naming_cursor(api_settings: Settings, conn: Connection) -> None:
    for n in range(3):
        add(conn, api_settings, f"N{n}")
    cursor = listed(limit=1).headers["X-Next-Cursor"]
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[-3] ^= 1  # one bit of the payload
    edited = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")

    assert problem_field(listed(limit=1, cursor=edited)) == ["cursor"]
    assert problem_field(listed(limit=1, cursor="not a cursor!")) == ["cursor"]
    assert problem_field(listed(limit=1, cursor="")) == ["cursor"]
    assert problem_field(listed(limit=1, cursor=cursor, sort="number")) == ["cursor"]  # another sort
    assert problem_field(listed(limit=1, cursor=cursor, q="n")) == ["cursor"]  # another search
    assert listed(limit=1, cursor=cursor).status == 200


@pytest.mark.parametrize(("name", "value"), [
    ("status", "Pending"), ("sort", "justification"), ("sort", "--created"), ("expiresWithinDays", "-1"),
    ("expiresWithinDays", "soon"), ("q", "x" * 321),
])
def test_bad_list_parameters_are_a_400_naming_the_parameter(api_settings: Settings, name: str, value: str) -> None:
    assert problem_field(listed(**{name: value})) == [name]


# --- the create's duplicate number ------------------------------------------------------------------
def test_a_taken_request_number_is_refused_with_409_in_any_case(api_settings: Settings) -> None:
    body = {"requestType": "Read", "requestedBy": "Ann Lee", "requestedByEmail": "ann@example.com",
            "expiresInDays": 5, "requestNumber": "DBX-77"}
    assert invoke("databricks_create_access_request", body=body).status == 201

    again = invoke("databricks_create_access_request", body={**body, "requestNumber": "dbx-77"})

    assert (again.status, again.mimetype) == (409, "application/problem+json")
    assert again.json()["title"] == "Duplicate request number"
    assert [e["field"] for e in again.json()["errors"]] == ["requestNumber"]
    assert listed().headers["X-Total-Count"] == "1"  # nothing saved


def test_palantir_requests_may_share_a_project(api_settings: Settings) -> None:
    body = {"projectId": "PRJ-1", "requestType": "Viewer", "requestedByEmail": "ann@example.com", "expiresInDays": 5}

    assert [invoke("palantir_create_access_request", body=body).status for _ in range(2)] == [201, 201]
