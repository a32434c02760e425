"""The roles function Static Web Apps calls at sign-in (`auth.rolesSource`), the role settings, and
how the OpenAPI document states who may call each operation."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest
from schemathesis.specs.openapi.definitions import OPENAPI_31

from shared.http.auth import Access
from shared.http.endpoints import ENDPOINTS
from shared.http.openapi import build_openapi
from shared.settings import Settings, SettingsError, load_settings
from tests.conftest import set_app_settings
from tests.http_support import invoke
from tests.test_authorization import ADMIN_GROUP, READER_GROUP, TENANT, swa_roles_body

OTHER_GROUP = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def swa(api_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return set_app_settings(monkeypatch, AUTH_MODE="swa", AZURE_TENANT_ID=TENANT,
                            ADMIN_GROUP_IDS=f"{OTHER_GROUP}, {ADMIN_GROUP}", READER_GROUP_IDS=READER_GROUP)


def roles(body: dict[str, Any]) -> Any:
    reply = invoke("roles", body=body)  # as SWA calls it: no client principal yet
    assert reply.status == 200, reply.body
    return reply.json()


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ((ADMIN_GROUP,), ["access-admin"]),
        ((READER_GROUP,), ["access-reader"]),
        ((READER_GROUP, OTHER_GROUP), ["access-admin", "access-reader"]),  # any listed admin group
        ((ADMIN_GROUP.upper(),), ["access-admin"]),  # object ids are GUIDs: case does not matter
        (("99999999-2222-4333-8444-555555555555",), []),
        ((), []),
    ],
)
def test_entra_groups_in_swas_documented_body_map_to_the_two_roles(
    swa: Settings, groups: tuple[str, ...], expected: list[str]
) -> None:
    assert roles(swa_roles_body(*groups)) == {"roles": expected}


def test_a_user_of_another_tenant_gets_no_role_even_in_an_admin_group(swa: Settings) -> None:
    assert roles(swa_roles_body(ADMIN_GROUP, tenant="3d5f7b9c-1e2a-4b4c-8d6e-8f0a2b4c6d8e")) == {"roles": []}


def test_claims_without_a_tenant_get_no_role_once_the_tenant_is_set(swa: Settings) -> None:
    body = swa_roles_body(ADMIN_GROUP)
    body["claims"] = [c for c in body["claims"] if not c["typ"].endswith("tenantid")]

    assert roles(body) == {"roles": []}


def test_another_identity_provider_gets_no_role(swa: Settings) -> None:
    assert roles(swa_roles_body(ADMIN_GROUP, provider="github")) == {"roles": []}


def test_without_a_tenant_setting_the_groups_alone_decide(swa: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    set_app_settings(monkeypatch, AZURE_TENANT_ID="")

    assert roles(swa_roles_body(READER_GROUP, tenant="anything")) == {"roles": ["access-reader"]}


def test_the_answer_is_the_roles_only_and_never_cached(swa: Settings) -> None:
    reply = invoke("roles", body=swa_roles_body(ADMIN_GROUP))

    assert set(reply.json()) == {"roles"} and b"eyJ0" not in reply.body and b"kim" not in reply.body
    assert reply.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("raw", "status"),
    [(b"{not json", 400), (b"[]", 422), (b'{"claims": []}', 422),
     (b'{"identityProvider": "aad", "claims": [{"typ": "groups"}]}', 422),
     (b'{"identityProvider": "aad", "claims": "groups"}', 422)],
)
def test_a_body_swa_would_never_send_is_a_4xx(swa: Settings, raw: bytes, status: int) -> None:
    reply = invoke("roles", raw_body=raw, headers={"content-type": "application/json"})

    assert (reply.status, reply.mimetype) == (status, "application/problem+json")


# --- settings ---------------------------------------------------------------------------------------------
def test_group_ids_are_comma_separated_and_kept_lower_case() -> None:
    settings = load_settings(ADMIN_GROUP_IDS=f" {ADMIN_GROUP.upper()} ,{OTHER_GROUP},", READER_GROUP_IDS="")

    assert settings.admin_groups == {ADMIN_GROUP, OTHER_GROUP} and settings.reader_groups == frozenset()


@pytest.mark.parametrize(
    ("name", "value"),
    [("ADMIN_GROUP_IDS", "Access Admins"), ("READER_GROUP_IDS", f"{READER_GROUP};{ADMIN_GROUP}"),
     ("AZURE_TENANT_ID", "contoso.onmicrosoft.com"), ("READER_ROLE", "")],
)
def test_an_invalid_role_setting_stops_start_up_naming_it(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings(**{name: value})


def test_the_role_settings_default_to_the_design_names() -> None:
    settings = load_settings()

    assert (settings.reader_role, settings.admin_role) == ("access-reader", "access-admin")
    assert settings.azure_tenant_id == "" and settings.admin_groups == settings.reader_groups == frozenset()


# --- the OpenAPI document ---------------------------------------------------------------------------------
def test_every_operation_states_the_roles_it_needs() -> None:
    settings = load_settings(READER_ROLE="auditors")
    by_id = {op["operationId"]: op for path in build_openapi(settings)["paths"].values() for op in path.values()}
    access = {e.function: e.access for e in ENDPOINTS}

    for operation_id, operation in by_id.items():
        function = operation_id.removeprefix("databricks_").removeprefix("palantir_")
        expected = {Access.PUBLIC: [], Access.USER: ["authenticated"], Access.READER: ["auditors", "access-admin"],
                    Access.ADMIN: ["access-admin"]}[access[function]]
        assert operation["x-required-roles"] == expected, operation_id
        assert operation["security"] == ([] if access[function] is Access.PUBLIC
                                         else [{"staticWebAppsPrincipal": []}])
        assert ("403" in operation["responses"]) is (access[function] in (Access.READER, Access.ADMIN))
        assert all(role in operation["description"] for role in expected if role != "authenticated")
    assert set(by_id["me"]["responses"]["200"]["content"]["application/json"]["schema"].values()) == {
        "#/components/schemas/Me"}


def test_the_document_stays_valid_openapi_3_1() -> None:
    document = json.loads(json.dumps(build_openapi(load_settings())))

    jsonschema_rs.validator_for(OPENAPI_31).validate(document)  # OpenAPI's own schema, as schemathesis has it
