"""One API call: the request, settings, platform and caller, and reading input from it safely."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, get_origin
from urllib.parse import parse_qs, urlsplit

import azure.functions as func
from pydantic import BaseModel, ValidationError

from shared.http.auth import Principal
from shared.http.problems import ApiError
from shared.platforms import Platform
from shared.settings import Settings

MAX_BODY_BYTES = 64 * 1024
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Call:
    req: func.HttpRequest
    settings: Settings
    platform: Platform  # the service endpoints get the first platform; they don't use it
    principal: Principal | None

    def query(self, model: type[M]) -> M:
        """Query parameters into `model`; list fields take every repeated value (?a=1&a=2)."""
        # From the URL, not req.params: a mapping keeps one value per name.
        raw = parse_qs(urlsplit(self.req.url).query, keep_blank_values=True)
        values: dict[str, Any] = {}
        for name, field in model.model_fields.items():
            if name in raw:
                values[name] = raw[name] if get_origin(field.annotation) is list else raw[name][-1]
        try:
            return model.model_validate(values)
        except ValidationError as error:
            raise ApiError(400, "Invalid query parameters.", errors=field_errors(error)) from None

    def body(self, model: type[M]) -> M:
        body = self.req.get_body() or b""
        if len(body) > MAX_BODY_BYTES:
            raise ApiError(413, f"The body is {len(body)} bytes; at most {MAX_BODY_BYTES} are accepted.")
        content_type = (self.req.headers.get("content-type") or "").split(";")[0].strip().lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise ApiError(415, "Send the body as application/json.")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "The body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise ApiError(422, "The body must be a JSON object.", errors=[])
        try:
            return model.model_validate(data)
        except ValidationError as error:
            raise ApiError(422, "The request body is invalid.", errors=field_errors(error)) from None


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(part) for part in e["loc"]) or "(body)",
         "message": e["msg"].removeprefix("Value error, ")}
        for e in error.errors()
    ]


def json_response(
    payload: BaseModel | Sequence[BaseModel], status: int = 200, headers: dict[str, str] | None = None
) -> func.HttpResponse:
    if isinstance(payload, BaseModel):
        body = payload.model_dump_json()
    else:
        body = "[" + ",".join(item.model_dump_json() for item in payload) + "]"
    return func.HttpResponse(body, status_code=status, mimetype="application/json", charset="utf-8",
                             headers=headers)
