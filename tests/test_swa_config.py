"""staticwebapp.config.json: sign-in through one tenant's Entra registration only, roles from the
API's roles function, what anonymous callers reach, and the headers every answer carries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shared.http.auth import Access
from shared.http.endpoints import ENDPOINTS
from shared.settings import SettingsError, load_settings
from shared.swa_config import TEMPLATE, TENANT_PLACEHOLDER, render_swa_config

CONFIG: dict[str, Any] = json.loads(TEMPLATE.read_text(encoding="utf-8"))
REPO = TEMPLATE.parent.parent
TENANT = "2c4e6a8b-0d1f-4a3b-9c5d-7e9f1a3b5c7d"


def first_route(path: str, method: str = "GET") -> dict[str, Any]:
    """The route rule SWA applies: the first, in file order, whose pattern and methods match."""
    for rule in CONFIG["routes"]:
        pattern = rule["route"]
        matches = path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern
        if matches and method in rule.get("methods", [method]):
            return rule  # type: ignore[no-any-return]
    raise AssertionError(f"no route rule for {method} {path}")


def test_sign_in_is_only_through_a_custom_entra_registration_of_one_tenant() -> None:
    providers = CONFIG["auth"]["identityProviders"]
    registration = providers["azureActiveDirectory"]["registration"]

    assert list(providers) == ["azureActiveDirectory"]  # a custom registration disables the pre-configured ones
    assert registration["openIdIssuer"] == f"https://login.microsoftonline.com/{TENANT_PLACEHOLDER}/v2.0"
    assert registration["clientIdSettingName"] and registration["clientSecretSettingName"]


@pytest.mark.parametrize("provider", ["github", "twitter", "google", "facebook", "apple"])
def test_the_other_providers_sign_in_pages_are_404(provider: str) -> None:
    assert first_route(f"/.auth/login/{provider}")["statusCode"] == 404


def test_roles_come_from_the_apis_roles_function() -> None:
    roles_source = CONFIG["auth"]["rolesSource"]
    (endpoint,) = [e for e in ENDPOINTS if f"/api/{e.path}" == roles_source]

    assert (endpoint.method, endpoint.per_platform) == ("POST", False)


def test_the_ui_and_the_api_are_for_signed_in_users_and_the_public_endpoints_for_anyone() -> None:
    for endpoint in ENDPOINTS:
        path = f"/api/databricks/{endpoint.path}" if endpoint.per_platform else f"/api/{endpoint.path}"
        if f"/api/{endpoint.path}" == CONFIG["auth"]["rolesSource"]:
            continue  # SWA calls it itself and refuses it to external requests
        expected = ["anonymous"] if endpoint.access is Access.PUBLIC else ["authenticated"]
        assert first_route(path, endpoint.method)["allowedRoles"] == expected, path
    for page in ("/", "/databricks/requests", "/palantir/jobs", "/index.html", "/assets/index.js"):
        assert first_route(page)["allowedRoles"] == ["authenticated"], page


def test_every_answer_carries_a_content_security_policy_without_inline_code() -> None:
    policy = dict(part.strip().split(" ", 1) for part in
                  CONFIG["globalHeaders"]["Content-Security-Policy"].split(";"))

    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe" not in " ".join(policy.values())
    assert CONFIG["globalHeaders"]["X-Content-Type-Options"] == "nosniff"


def test_the_deployed_config_names_the_tenant_and_nothing_else_changes() -> None:
    rendered = json.loads(render_swa_config(load_settings(AZURE_TENANT_ID=TENANT), TEMPLATE.read_text()))

    issuer = rendered["auth"]["identityProviders"]["azureActiveDirectory"]["registration"].pop("openIdIssuer")
    assert issuer == f"https://login.microsoftonline.com/{TENANT}/v2.0"
    template = json.loads(TEMPLATE.read_text())
    template["auth"]["identityProviders"]["azureActiveDirectory"]["registration"].pop("openIdIssuer")
    assert rendered == template


def test_writing_the_config_without_a_tenant_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="AZURE_TENANT_ID"):
        render_swa_config(load_settings(AZURE_TENANT_ID=""), TEMPLATE.read_text())

    env = {"AZURE_TENANT_ID": TENANT.upper(), "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-m", "shared.swa_config", str(tmp_path / "out.json")],
                         capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert run.returncode == 0, run.stderr
    assert TENANT in (tmp_path / "out.json").read_text()
