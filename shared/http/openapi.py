"""OpenAPI 3.1 for every registered endpoint, generated from the registry and its pydantic models."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared.http.auth import Access, required_roles
from shared.http.endpoints import ENDPOINTS, Endpoint
from shared.http.models import ONLY_IN_TEST_MODE, JobStarted, Problem
from shared.http.problems import PROBLEM_JSON, TITLES
from shared.platforms import Platform, all_platforms
from shared.settings import Settings

REF = "#/components/schemas/{model}"


def _model_of(schema: Any) -> type[BaseModel]:
    return get_args(schema)[0] if get_origin(schema) is list else schema  # type: ignore[no-any-return]


def _query_parameters(endpoint: Endpoint, test_mode: bool) -> list[dict[str, Any]]:
    if endpoint.query is None:
        return []
    schema = endpoint.query.model_json_schema()
    parameters = []
    for name, field in endpoint.query.model_fields.items():
        if not test_mode and ONLY_IN_TEST_MODE in field.metadata:  # refused with 400 outside test mode
            continue
        prop = dict(schema["properties"][name])
        prop.pop("title", None)
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": prop}
        if field.description:
            parameter["description"] = field.description
        if get_origin(field.annotation) is list:
            parameter |= {"style": "form", "explode": True}
        parameters.append(parameter)
    return parameters


def _path_parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    # The registry's only path parameter is a job id.
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
            for name in re.findall(r"\{(\w+)\}", endpoint.path)]


def _who_may_call(endpoint: Endpoint, settings: Settings) -> str:
    roles = required_roles(endpoint.access, settings)
    if endpoint.access is Access.PUBLIC:
        return "Public: no sign-in needed."
    if endpoint.access is Access.USER:
        return "Any signed-in user."
    return "Needs role " + " or ".join(f"`{role}`" for role in roles) + " (else 403)."


def _operation(endpoint: Endpoint, platform: Platform | None, settings: Settings) -> dict[str, Any]:
    name = endpoint.function_name(platform)
    operation: dict[str, Any] = {
        "operationId": name,
        "summary": endpoint.summary,
        "description": _who_may_call(endpoint, settings),
        "tags": [platform.display_name if platform and endpoint.per_platform else "Service"],
        "parameters": _path_parameters(endpoint) + _query_parameters(endpoint, settings.allow_test_simulation),
        "responses": {},
        # Any one of these roles (in the client principal's userRoles) admits the caller.
        "x-required-roles": list(required_roles(endpoint.access, settings)),
        "security": [] if endpoint.access is Access.PUBLIC else [{"staticWebAppsPrincipal": []}],
    }
    if endpoint.body is not None and platform is not None:
        body = endpoint.body(platform, settings.allow_test_simulation)
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": {"$ref": REF.format(model=body.__name__)}}}}
    success: dict[str, Any] = {"description": "OK" if endpoint.status == 200 else "Created"}
    if endpoint.response is not None and platform is not None:
        schema = endpoint.response(platform)
        ref = {"$ref": REF.format(model=_model_of(schema).__name__)}
        success["content"] = {"application/json": {
            "schema": {"type": "array", "items": ref} if get_origin(schema) is list else ref}}  # type: ignore[comparison-overlap]
    elif endpoint.response is None:
        success["content"] = {"application/json": {"schema": {"type": "object"}}}
    if endpoint.total_count_header:
        success["headers"] = {
            "X-Total-Count": {"description": "Items in all pages (matching the search and filters)",
                              "schema": {"type": "integer", "minimum": 0}},
            "X-Next-Cursor": {"description": "The next page's `cursor`; absent on the last page",
                              "schema": {"type": "string"}}}
    operation["responses"][str(endpoint.status)] = success
    if endpoint.accepted:
        operation["responses"]["202"] = {
            "description": "Started and still running (after JOB_SYNC_WAIT_SECONDS, or at once with "
                           "`Prefer: respond-async`): poll statusUrl",
            "headers": {"Location": {"description": "statusUrl", "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": REF.format(model="JobStarted")}}}}
    for status in endpoint.errors:
        media, model = ("application/json", "Health") if status == 503 else (PROBLEM_JSON, "Problem")
        operation["responses"][str(status)] = {
            "description": endpoint.conflict if status == 409 else TITLES[status],
            "content": {media: {"schema": {"$ref": REF.format(model=model)}}}}
    return operation


def build_openapi(settings: Settings) -> dict[str, Any]:
    platforms = all_platforms(settings)
    paths: dict[str, dict[str, Any]] = {}
    models: set[type[BaseModel]] = {Problem, JobStarted}
    bodies: set[type[BaseModel]] = set()
    for endpoint in ENDPOINTS:
        for platform in platforms if endpoint.per_platform else platforms[:1]:
            path = "/api/" + endpoint.route(platform)
            operation = _operation(endpoint, platform, settings)
            paths.setdefault(path, {})[endpoint.method.lower()] = operation
            if endpoint.response is not None:
                models.add(_model_of(endpoint.response(platform)))
            if endpoint.body is not None:
                bodies.add(endpoint.body(platform, settings.allow_test_simulation))
    # Bodies are described as they are validated; responses as they are serialised.
    described = [(m, "validation") for m in bodies] + [(m, "serialization") for m in models]
    _, schemas = models_json_schema(sorted(described, key=lambda pair: pair[0].__name__),  # type: ignore[arg-type]
                                    ref_template=REF)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Access Request Expiry Service", "version": "1.0.0",
                 "description": "Expiry reminders and automatic revocation of Databricks and Palantir access."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"staticWebAppsPrincipal": {
                "type": "apiKey", "in": "header", "name": "x-ms-client-principal",
                "description": "Set by Azure Static Web Apps after sign-in (base64 JSON client principal)"}},
        },
        "security": [{"staticWebAppsPrincipal": []}],
    }


@cache
def openapi_json(settings: Settings) -> str:
    return json.dumps(build_openapi(settings), indent=1)
