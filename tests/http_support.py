"""Calling the registered functions directly: `FUNCTIONS[name].build().get_user_function()(req)`."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import azure.functions as func
from azure.functions.decorators.function_app import FunctionBuilder

from function_app import http_functions


@dataclass
class Reply:
    status: int
    mimetype: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def principal(*roles: str, user: str = "u-1") -> str:
    """An `x-ms-client-principal` header as Static Web Apps sends it, for a signed-in user with `roles`."""
    return encoded({"identityProvider": "aad", "userId": user, "userDetails": f"{user}@example.com",
                    "userRoles": ["anonymous", "authenticated", *roles]})


def encoded(data: Any) -> str:
    return base64.b64encode(json.dumps(data).encode()).decode()


def invoke(function: str, path: str = "", *, method: str | None = None, body: Any = None,
           headers: dict[str, str] | None = None, raw_body: bytes | None = None,
           route_params: dict[str, str] | None = None,
           functions: Mapping[str, FunctionBuilder] = http_functions) -> Reply:
    """Call a registered function; `functions` from `http_blueprint(settings)` for other platform settings."""
    builder = functions[function]
    trigger = builder.build().get_trigger().get_dict_repr()
    route = str(trigger["route"])
    for name, value in (route_params or {}).items():
        route = route.replace(f"{{{name}}}", value)
    payload = raw_body if raw_body is not None else (b"" if body is None else json.dumps(body).encode())
    all_headers = {"content-type": "application/json"} if body is not None else {}
    all_headers |= headers or {}
    req = func.HttpRequest(method or trigger["methods"][0].value, f"http://localhost/api/{route}{path}",
                           headers=all_headers, body=payload, route_params=route_params or {})
    response = asyncio.run(builder.build().get_user_function()(req))
    return Reply(response.status_code, response.mimetype, dict(response.headers), response.get_body())
