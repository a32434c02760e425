"""The OpenAPI document offers what the API accepts in its mode: test-only inputs only in test mode."""

from __future__ import annotations

from typing import Any

import pytest

from shared.settings import Settings
from tests.conftest import set_app_settings
from tests.http_support import invoke

DATABRICKS_BODY = {"requestType": "Read", "requestedBy": "Ann Lee", "requestedByEmail": "ann@example.com"}


def document(monkeypatch: pytest.MonkeyPatch, test_mode: bool) -> dict[str, Any]:
    set_app_settings(monkeypatch, ALLOW_TEST_SIMULATION=str(test_mode).lower())
    reply = invoke("openapi")
    assert reply.status == 200
    return reply.json()  # type: ignore[no-any-return]


def run_parameters(doc: dict[str, Any]) -> list[str]:
    operation = doc["paths"]["/api/palantir/access-requests/send-expiry-notifications"]["post"]
    return [p["name"] for p in operation["parameters"]]


def create_property(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return doc["components"]["schemas"]["DatabricksCreateAccessRequest"]["properties"][name]  # type: ignore[no-any-return]


def test_outside_test_mode_the_document_offers_no_simulation_and_no_past_expiry(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = document(monkeypatch, test_mode=False)

    assert "simulateFailures" not in run_parameters(doc) and "failEmail" not in run_parameters(doc)
    assert create_property(doc, "expiresInDays")["minimum"] == 1


def test_in_test_mode_the_document_offers_simulation_and_negative_days(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = document(monkeypatch, test_mode=True)

    assert run_parameters(doc) == ["simulateFailures", "failEmail"]
    assert create_property(doc, "expiresInDays")["minimum"] == -3650


def test_expires_on_is_a_string_in_the_document_and_a_json_number_is_422(api_settings: Settings) -> None:
    # Given a create body with a Unix timestamp where the document says a date-time string
    reply = invoke("databricks_create_access_request", body={**DATABRICKS_BODY, "expiresOn": 1893456000})

    assert (reply.status, reply.mimetype) == (422, "application/problem+json")
    assert [e["field"] for e in reply.json()["errors"]] == ["expiresOn"]
    schema = create_property(invoke("openapi").json(), "expiresOn")
    assert schema["type"] == "string" and schema["format"] == "date-time"
    assert invoke("databricks_list_access_requests").headers["X-Total-Count"] == "0"



def test_the_list_documents_its_search_filters_sort_and_cursor_and_the_create_its_409(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = document(monkeypatch, test_mode=False)
    operations = doc["paths"]["/api/databricks/access-requests"]
    listing = operations["get"]

    parameters = {p["name"]: p["schema"] for p in listing["parameters"]}
    assert {"limit", "offset", "q", "status", "expiresWithinDays", "sort", "cursor"} <= parameters.keys()
    assert set(parameters["sort"]["enum"]) == {"created", "-created", "expires", "-expires", "number", "-number"}
    assert set(listing["responses"]["200"]["headers"]) == {"X-Total-Count", "X-Next-Cursor"}
    assert "number" in operations["post"]["responses"]["409"]["description"]
    assert doc["components"]["schemas"]["DatabricksAccessRequest"]["properties"]["expired"]["type"] == "boolean"
