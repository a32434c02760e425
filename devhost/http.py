"""The HTTP side: route table from the app's HTTP triggers, request/response conversion.

Routing follows the Functions host: `/{routePrefix}/{route template}`, the
most specific template first. The handler gets a real `func.HttpRequest` and
its `func.HttpResponse` goes back with its status, headers and content type
(mimetype plus charset for text, as the Python worker's converter does).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import azure.functions as func
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from devhost.admin import ADMIN_FUNCTIONS_PATH, FunctionListing
from devhost.functions import FunctionConfig, HttpFunction
from devhost.invoke import call_user_function, new_invocation_id
from devhost.routes import RouteTemplate, parse_template, split_path
from devhost.static import StaticSite

__all__ = ["HttpRoute", "RouteTable", "build_asgi_app", "problem"]

log = logging.getLogger("devhost.http")

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
# Hop-by-hop headers belong to the connection, not the function's response.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "content-length"}
_NO_BODY_STATUSES = {204, 304}
# The Functions host refuses bodies over FUNCTIONS_REQUEST_BODY_SIZE_LIMIT bytes, by default
# 104857600 (100 MB); so does this host, before reading more than that into memory.
BODY_LIMIT_SETTING = "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"
DEFAULT_MAX_BODY_BYTES = 104_857_600


class BodyTooLarge(Exception):
    """The request body is over the limit; nothing more of it is read."""


@dataclass(frozen=True)
class HttpRoute:
    function: HttpFunction
    template: RouteTemplate

    def allows(self, method: str) -> bool:
        return self.function.methods is None or method in self.function.methods


class RouteTable:
    def __init__(self, functions: Sequence[HttpFunction], route_prefix: str) -> None:
        routes = [HttpRoute(function=f, template=_parse(f)) for f in functions]
        # Literal segments beat constrained parameters beat plain ones beat catch-alls.
        self.routes = sorted(routes, key=lambda r: (r.template.precedence, r.template.text.casefold()))
        self.prefix = route_prefix
        self.prefix_segments = [s.casefold() for s in split_path(route_prefix)]

    def strip_prefix(self, segments: list[str]) -> list[str] | None:
        """Segments after the route prefix, or None when the path is outside it."""
        count = len(self.prefix_segments)
        if [s.casefold() for s in segments[:count]] != self.prefix_segments:
            return None
        return segments[count:]

    def match(self, path: list[str]) -> list[tuple[HttpRoute, dict[str, str]]]:
        found: list[tuple[HttpRoute, dict[str, str]]] = []
        for route in self.routes:
            values = route.template.match(path)
            if values is not None:
                found.append((route, values))
        return found

    def path_of(self, route: HttpRoute) -> str:
        """The route's URL path, prefix included, without the leading slash."""
        return "/".join(p for p in (self.prefix, route.template.text.strip("/")) if p)

    def url_of(self, route: HttpRoute, base_url: str) -> str:
        return f"{base_url}/{self.path_of(route)}"


def _parse(function: HttpFunction) -> RouteTemplate:
    try:
        return parse_template(function.route)
    except ValueError as exc:
        raise ValueError(f"function '{function.name}': {exc}") from exc


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """An RFC 9457 problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return Response(
        json.dumps(body),
        status_code=status,
        headers=headers,
        media_type="application/problem+json",
    )


def to_function_request(request: Request, body: bytes, route_params: dict[str, str]) -> func.HttpRequest:
    # Repeated headers and query keys are joined with commas, as the Functions host does
    # (ASP.NET's StringValues.ToString()); the full URL keeps every value for handlers that want them.
    headers: dict[str, str] = {}
    for key, value in request.headers.items():
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    params: dict[str, str] = {}
    for key, value in parse_qsl(request.url.query, keep_blank_values=True):
        params[key] = f"{params[key]},{value}" if key in params else value
    return func.HttpRequest(
        request.method,
        str(request.url),
        headers=headers,
        params=params,
        route_params=route_params,
        body=body,
    )


def from_function_response(result: Any) -> Response:
    if isinstance(result, str):
        result = func.HttpResponse(result)
    if not isinstance(result, func.HttpResponse):
        raise TypeError(f"the function returned {type(result).__name__}, not func.HttpResponse")
    status = int(result.status_code)
    body = b"" if status in _NO_BODY_STATUSES else result.get_body()
    response = Response(content=body, status_code=status)
    raw_headers = [(k, v) for k, v in response.raw_headers if k == b"content-length"]
    names = set()
    for key, value in result.headers.items():
        lowered = str(key).lower()
        if lowered in _HOP_BY_HOP:
            continue
        names.add(lowered)
        raw_headers.append((lowered.encode("latin-1"), str(value).encode("latin-1")))
    if "content-type" not in names and status not in _NO_BODY_STATUSES:
        mimetype = str(result.mimetype)
        content_type = f"{mimetype}; charset={result.charset}" if mimetype.startswith("text/") else mimetype
        raw_headers.append((b"content-type", content_type.encode("latin-1")))
    response.raw_headers = raw_headers
    return response


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused by its Content-Length or once more than `limit` bytes have arrived
    (a chunked body has no length), so a huge body never sits in memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class FunctionsHttpApp:
    """Dispatch one request: the admin listing, a function, the static site, or a problem response."""

    def __init__(self, table: RouteTable, static: StaticSite | None,
                 max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, configs: Sequence[FunctionConfig] = ()) -> None:
        self.table = table
        self.static = static
        self.max_body_bytes = max_body_bytes
        self.listing = FunctionListing(configs, {r.function.name: table.path_of(r) for r in table.routes})

    async def handle(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else request.url.path
        segments = split_path(path)
        method = request.method.upper()
        # The host keeps /admin for itself, before any function route (even with an empty routePrefix).
        if [s.casefold() for s in segments[:2]] == list(ADMIN_FUNCTIONS_PATH):
            return self._admin(request, method, segments[2:])
        api_path = self.table.strip_prefix(segments)
        if api_path is not None:
            matches = self.table.match(api_path)
            for route, values in matches:
                if route.allows(method):
                    request.scope["path_params"] = values
                    return await self._invoke(route, values, request)
            if matches:
                allowed = sorted({m for route, _ in matches for m in (route.function.methods or ALL_METHODS)})
                return problem(
                    405,
                    "Method Not Allowed",
                    f"{method} is not allowed on {request.url.path}",
                    headers={"Allow": ", ".join(allowed)},
                )
            if self.table.prefix:
                return self._not_found(request)
        if self.static is not None and method in ("GET", "HEAD"):
            response = self.static.respond(request, segments)
            if response is not None:
                return response
        if self.static is not None and self.static.built and method not in ("GET", "HEAD"):
            return problem(
                405,
                "Method Not Allowed",
                f"{method} is not allowed on {request.url.path}",
                headers={"Allow": "GET, HEAD"},
            )
        return self._not_found(request)

    def _not_found(self, request: Request) -> Response:
        return problem(404, "Not Found", f"No function or file at {request.url.path}")

    def _admin(self, request: Request, method: str, rest: list[str]) -> Response:
        if len(rest) > 1:
            return self._not_found(request)
        if method not in ("GET", "HEAD"):
            # The Functions host also runs a function on POST /admin/functions/{name}; not emulated here.
            return problem(405, "Method Not Allowed", f"{method} is not allowed on {request.url.path}",
                           headers={"Allow": "GET, HEAD"})
        base_url = str(request.base_url).rstrip("/")
        found = self.listing.items(base_url) if not rest else self.listing.item(rest[0], base_url)
        if found is None:
            return problem(404, "Not Found", f"No function named '{rest[0]}'")
        return Response(json.dumps(found), media_type="application/json")

    async def _invoke(self, route: HttpRoute, route_params: dict[str, str], request: Request) -> Response:
        function = route.function
        invocation_id = new_invocation_id()
        try:
            body = await read_body(request, self.max_body_bytes)
        except BodyTooLarge:
            # The rest is never read: the connection closes after this answer.
            return problem(413, "Payload Too Large",
                           f"The request body is over {self.max_body_bytes} bytes ({BODY_LIMIT_SETTING}).",
                           headers={"Connection": "close"})
        try:
            function_request = to_function_request(request, body, route_params)
            result = await call_user_function(
                function,
                function_request,
                reason=f"HTTP {request.method} {request.url.path}",
                invocation_id=invocation_id,
            )
            return from_function_response(result)
        except asyncio.CancelledError:
            # uvicorn's shutdown grace ran out; a sync handler's thread is left to die with the process.
            log.warning("Function '%s' abandoned: the host is shutting down (Id=%s)", function.name, invocation_id)
            raise
        except Exception:
            # The traceback goes to the log only: exception text can hold secrets or SQL.
            log.exception("Function '%s' failed (Id=%s)", function.name, invocation_id)
            return problem(
                500,
                "Internal Server Error",
                "The function failed. The host log has the details under this invocation id.",
                invocationId=invocation_id,
            )


Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


class GlobalHeaders:
    """ASGI middleware: these headers on every answer (staticwebapp.config.json `globalHeaders`, as
    Static Web Apps adds them), unless the answer sets the header itself."""

    def __init__(self, app: ASGIApp, headers: Mapping[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in self.headers if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


def build_asgi_app(
    dispatcher: FunctionsHttpApp,
    lifespan: Lifespan | None = None,
    cors_origins: Sequence[str] = (),
    cors_credentials: bool = False,
    global_headers: Mapping[str, str] | None = None,
) -> Starlette:
    # One catch-all route: the dispatcher does the Functions-style matching itself.
    routes = [Route("/{path:path}", endpoint=dispatcher.handle, methods=ALL_METHODS)]
    middleware = [Middleware(GlobalHeaders, headers=global_headers)] if global_headers else []
    if cors_origins:
        # local.settings.json Host.CORS, as `func start` applies it.
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors_origins),
                allow_methods=["*"],
                allow_headers=["*"],
                expose_headers=["*"],
                allow_credentials=cors_credentials,
            )
        )
    return Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
