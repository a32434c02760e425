"""One API call: the request, settings, platform and caller, and reading input from it safely."""

from __future__ import annotations

import json
import re
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
# No body the API takes nests deeper than 2; json.loads recurses once per level and raises
# RecursionError near the interpreter's limit (~990 levels, less on a deeper stack), so the depth
# is counted first, without recursion.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")
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
            too_deep = json_depth(body.decode("utf-8", "replace")) > MAX_JSON_DEPTH
            data = None if too_deep else json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "The body is not valid JSON.") from None
        if too_deep:
            raise ApiError(400, f"The body nests arrays or objects more than {MAX_JSON_DEPTH} levels deep.")
        if not isinstance(data, dict):
            raise ApiError(422, "The body must be a JSON object.", errors=[])
        try:
            return model.model_validate(data)
        except ValidationError as error:
            raise ApiError(422, "The request body is invalid.", errors=field_errors(error)) from None


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON text (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


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
