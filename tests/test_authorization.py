"""Who may call what (DESIGN section 6, R2: roles, not just sign-in), as the Functions host calls it
with AUTH_MODE=swa: every endpoint of the registry × every kind of caller."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from function_app import http_functions
from shared import joblock
from shared.db import connect
from shared.http.auth import Access
from shared.http.endpoints import ENDPOINTS, Endpoint
from shared.platforms import JobKind, Platform, all_platforms
from shared.settings import Settings, get_settings, load_settings
from tests.conftest import set_app_settings
from tests.http_support import encoded, invoke, principal

PLATFORMS = all_platforms(load_settings())
ADMIN_GROUP = "0f6c2d4e-8a1b-4c3d-9e5f-a1b2c3d4e5f6"
READER_GROUP = "7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e"
TENANT = "2c4e6a8b-0d1f-4a3b-9c5d-7e9f1a3b5c7d"


def swa_roles_body(*groups: str, tenant: str = TENANT, provider: str = "aad") -> dict[str, Any]:
    """What SWA posts to its rolesSource function after sign-in (SWA docs, "Manage roles", Function tab):
    the provider, the user, the provider's claims as {typ, val} (one `groups` claim a group) and the
    user's access token."""
    return {
        "identityProvider": provider,
        "userId": "d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6",
        "userDetails": "kim.berg@contoso.example",
        "claims": [
            {"typ": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
             "val": "kim.berg@contoso.example"},
            {"typ": "name", "val": "Kim Berg"},
            {"typ": "http://schemas.microsoft.com/identity/claims/objectidentifier",
             "val": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"},
            {"typ": "http://schemas.microsoft.com/identity/claims/tenantid", "val": tenant},
            {"typ": "ver", "val": "2.0"},
            *({"typ": "groups", "val": group} for group in groups),
        ],
        "accessToken": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl",
    }


# A valid body for each endpoint that takes one, so that "allowed" means a 2xx answer. An endpoint
# added with a body and no example here fails the matrix instead of skipping it.
EXAMPLE_BODIES: dict[str, Callable[[Platform], dict[str, Any]]] = {
    "create_access_request": lambda p: {
        "requestType": p.request_types[0], "requestedByEmail": "ann@example.com", "expiresInDays": 3,
        **({"projectId": "PRJ-1"} if p.name == "palantir" else {"requestedBy": "Ann"})},
    "roles": lambda p: swa_roles_body(ADMIN_GROUP),
}



def finished_run(platform: Platform) -> dict[str, str]:
    """A completed run of the platform's revoke job, in the test's database."""
    with connect(get_settings()) as conn:
        job_id = joblock.new_job_id()
        assert joblock.try_acquire_lock(conn, job_id, platform.job_type(JobKind.REVOKE), "server-a",
                                        timeout_seconds=600, requested_by="kim@example.com")
        assert joblock.complete_job(conn, job_id, 0, 0)
    return {"jobId": job_id}


# Path parameters naming something that exists, for each endpoint whose path has any.
EXAMPLE_ROUTES: dict[str, Callable[[Platform], dict[str, str]]] = {"job_detail": finished_run}

CALLERS: dict[str, str | None] = {
    "anonymous": None,
    "malformed principal": "eyJ1c2VySWQiOg==!!",
    "signed in without a role": principal(),
    "reader": principal("access-reader"),
    "admin": principal("access-admin"),
}
ALLOWED = "allowed"
EXPECTED: dict[Access, tuple[int | str, ...]] = {  # in the order of CALLERS
    Access.PUBLIC: (ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED),
    Access.USER: (401, 401, ALLOWED, ALLOWED, ALLOWED),
    Access.READER: (401, 401, 403, ALLOWED, ALLOWED),
    Access.ADMIN: (401, 401, 403, 403, ALLOWED),
}
REGISTERED = [(endpoint, platform) for endpoint in ENDPOINTS
              for platform in (PLATFORMS if endpoint.per_platform else PLATFORMS[:1])]


@pytest.fixture
def swa(api_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return set_app_settings(monkeypatch, AUTH_MODE="swa", ADMIN_GROUP_IDS=ADMIN_GROUP, READER_GROUP_IDS=READER_GROUP)


def call_as(endpoint: Endpoint, platform: Platform, header: str | None) -> Any:
    if endpoint.body is not None and endpoint.function not in EXAMPLE_BODIES:
        pytest.fail(f"{endpoint.function} takes a body: add an example to EXAMPLE_BODIES")
    if "{" in endpoint.path and endpoint.function not in EXAMPLE_ROUTES:
        pytest.fail(f"{endpoint.function} has path parameters: add an example to EXAMPLE_ROUTES")
    body = EXAMPLE_BODIES[endpoint.function](platform) if endpoint.body is not None else None
    route = EXAMPLE_ROUTES[endpoint.function](platform) if "{" in endpoint.path else None
    headers = {"x-ms-client-principal": header} if header else {}
    return invoke(endpoint.function_name(platform), headers=headers, body=body, route_params=route)


def test_the_matrix_covers_every_registered_function() -> None:
    assert sorted(e.function_name(p) for e, p in REGISTERED) == sorted(http_functions)
    assert set(EXPECTED) == set(Access)


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize(("endpoint", "platform"), REGISTERED,
                         ids=[e.function_name(p) for e, p in REGISTERED])
def test_authorization_matrix(swa: Settings, endpoint: Endpoint, platform: Platform, caller: str) -> None:
    expected = EXPECTED[endpoint.access][list(CALLERS).index(caller)]

    reply = call_as(endpoint, platform, CALLERS[caller])

    if expected == ALLOWED:
        assert 200 <= reply.status < 300, reply.body
    else:
        assert (reply.status, reply.mimetype) == (expected, "application/problem+json"), reply.body
    if expected == 403:  # the answer names the role that would do
        assert "'access-admin'" in reply.json()["detail"]
        assert ("'access-reader'" in reply.json()["detail"]) is (endpoint.access is Access.READER)
    assert reply.headers["Cache-Control"] == "no-store"


def test_a_signed_in_stranger_creates_nothing_and_reads_nothing(swa: Settings) -> None:
    # Given anyone with a Microsoft account, signed in through SWA but given no role
    stranger = {"x-ms-client-principal": principal(user="outsider")}
    phishing = {"projectId": "PRJ-9", "requestType": "Viewer", "requestedByEmail": "victim@elsewhere.example",
                "justification": "Confirm your access at https://evil.example/login", "expiresInDays": 5}

    created = invoke("palantir_create_access_request", headers=stranger, body=phishing)
    reads = [invoke(e.function_name(p), headers=stranger).status
             for e, p in REGISTERED if e.method == "GET" and e.access is Access.READER]

    assert created.status == 403 and set(reads) == {403}
    admin = {"x-ms-client-principal": principal("access-admin")}
    assert invoke("palantir_list_access_requests", headers=admin).headers["X-Total-Count"] == "0"


def test_me_tells_a_reader_who_they_are_and_that_they_are_no_admin(swa: Settings) -> None:
    reply = invoke("me", headers={"x-ms-client-principal": principal("access-reader", user="kim")})

    assert reply.json() == {"name": "kim@example.com", "roles": ["access-reader", "anonymous", "authenticated"],
                            "isAdmin": False, "authMode": "swa", "adminRole": "access-admin"}


def test_without_sign_in_the_local_developer_is_an_admin(api_settings: Settings) -> None:
    me = invoke("me").json()

    assert (me["name"], me["isAdmin"], me["authMode"]) == ("local developer", True, "none")
    assert invoke("databricks_revoke_expired").status == 200


def test_role_names_come_from_the_settings(swa: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    set_app_settings(monkeypatch, READER_ROLE="auditors", ADMIN_ROLE="operators")

    def status(function: str, *roles: str) -> int:
        return invoke(function, headers={"x-ms-client-principal": principal(*roles)}).status

    assert status("palantir_list_access_requests", "auditors") == 200
    assert status("palantir_list_access_requests", "access-reader") == 403
    assert status("palantir_revoke_expired", "auditors") == 403
    assert status("palantir_revoke_expired", "operators") == 200
    me = invoke("me", headers={"x-ms-client-principal": principal("operators")}).json()
    assert (me["isAdmin"], me["adminRole"]) == (True, "operators")
    # A reader learns which role the admin actions need (the UI says so beside them)
    assert invoke("me", headers={"x-ms-client-principal": principal("auditors")}).json()["adminRole"] == "operators"


# --- the client principal header -------------------------------------------------------------------------
def _valid() -> dict[str, Any]:
    return {"identityProvider": "aad", "userId": "u-1", "userDetails": "kim@example.com",
            "userRoles": ["anonymous", "authenticated", "access-reader"]}


def _nested(depth: int) -> str:
    return '{"userId": "u-1", "userRoles": [], "x": ' + "[" * depth + "]" * depth + "}"


def _raw(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(_raw(_nested(5000)), id="deeply nested JSON"),
        pytest.param(encoded(_valid())[:8] + "*" + encoded(_valid())[8:], id="a junk base64 character"),
        pytest.param(encoded(_valid()) + "!", id="junk after the base64"),
        pytest.param(encoded(_valid() | {"userId": 42}), id="a number as userId"),
        pytest.param(_raw(json.dumps(_valid()).replace('"u-1"', "NaN")), id="NaN as userId"),
        pytest.param(_raw(json.dumps(_valid()).replace('"u-1"', "Infinity")), id="Infinity as userId"),
        pytest.param(encoded(_valid() | {"userId": ""}), id="an empty userId"),
        pytest.param(encoded(_valid() | {"userRoles": ["access-reader", 7]}), id="a number among the roles"),
        pytest.param(encoded(_valid() | {"userRoles": "access-reader"}), id="roles not a list"),
        pytest.param(encoded(_valid() | {"userDetails": ["kim"]}), id="a list as userDetails"),
        pytest.param(encoded(_valid() | {"userDetails": "kim@example.com\nINFO admin@example.com revoked all"}),
                     id="a newline in userDetails"),
        pytest.param(encoded(_valid() | {"userDetails": "kim\r@example.com"}), id="a carriage return"),
        pytest.param(encoded(_valid() | {"userDetails": "kim\u2028@example.com"}), id="a Unicode line separator"),
        pytest.param(encoded(_valid() | {"userDetails": "moc.elpmaxe@\u202emik"}), id="a bidi override"),
        pytest.param(encoded(_valid() | {"userId": "u-1\x1b[2J"}), id="an escape sequence in userId"),
        pytest.param(encoded(["u-1"]), id="not an object"),
        pytest.param("A" * 20_000, id="longer than any principal"),
    ],
)
def test_a_principal_that_swa_would_never_send_is_401(swa: Settings, header: str) -> None:
    reply = invoke("databricks_list_access_requests", headers={"x-ms-client-principal": header})

    assert (reply.status, reply.mimetype) == (401, "application/problem+json"), reply.body


def test_a_principal_as_swa_sends_it_is_accepted_with_letters_beyond_ascii(swa: Settings) -> None:
    header = encoded(_valid() | {"userDetails": "zoë.ångström@exämple.com"})

    reply = invoke("databricks_list_access_requests", headers={"x-ms-client-principal": header})

    assert reply.status == 200


def test_who_ran_a_job_is_logged_as_one_line(swa: Settings, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    forged = encoded(_valid() | {"userRoles": ["access-admin"],
                                 "userDetails": "kim\nRevokeExpiredPalantir requested by ceo"})

    invoke("palantir_revoke_expired", headers={"x-ms-client-principal": forged})

    assert "requested by ceo" not in caplog.text
