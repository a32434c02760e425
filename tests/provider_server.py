"""A local HTTPS server that answers like ACS Email or Microsoft Graph's sendMail, and records what it got.

HTTPS because azure-core refuses to send a bearer token over plain HTTP; the certificate is made at
test time (tests.test_smtp_sender.self_signed_certificate) and trusted only by the client under test.
"""

from __future__ import annotations

import json
import ssl
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.test_smtp_sender import self_signed_certificate


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: Any


@dataclass(frozen=True)
class Reply:
    status: int
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Provider:
    """Scripted answers: `send` answers the send request (None: the provider's own success), and for
    ACS `operation` lists the operation's statuses, polled in turn (the last one repeats)."""

    base_url: str = ""
    send: Reply | None = None
    operation: list[str] = field(default_factory=lambda: ["Running", "Succeeded"])
    operation_error: dict[str, str] | None = None
    received: list[Received] = field(default_factory=list)
    polls: int = 0

    def answer(self, request: Received) -> Reply:
        self.received.append(request)
        if request.method == "POST" and self.send is not None:
            return self.send
        if request.method == "POST" and request.path == "/emails:send":  # ACS: queued, poll the operation
            operation_id = str(uuid.uuid4())
            version = request.query["api-version"][0]
            location = f"{self.base_url}/emails/operations/{operation_id}?api-version={version}"
            return Reply(202, {"id": operation_id, "status": "Running"},
                         {"Operation-Location": location, "Retry-After": "0"})
        if request.method == "GET" and request.path.startswith("/emails/operations/"):
            status = self.operation[min(self.polls, len(self.operation) - 1)]
            self.polls += 1
            body: dict[str, object] = {"id": request.path.rsplit("/", 1)[1], "status": status}
            if status == "Failed" and self.operation_error:
                body["error"] = self.operation_error
            return Reply(200, body)
        if request.method == "POST" and request.path.endswith("/sendMail"):  # Graph: accepted, no body
            return Reply(202)
        return Reply(404, {"error": {"code": "NotFound", "message": request.path}})


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = Received(self.command, parts.path, parse_qs(parts.query),
                               {k.lower(): v for k, v in self.headers.items()},
                               json.loads(raw) if raw else None)
            reply = provider.answer(request)
            payload = json.dumps(reply.body).encode() if reply.body is not None else b""
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if payload:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def https_provider(directory: Path) -> Iterator[tuple[Provider, Path]]:
    """The running provider and the certificate file a client must trust to reach it."""
    cert_file, key_file = self_signed_certificate(directory)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    provider = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    provider.base_url = f"https://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield provider, cert_file
    finally:
        server.shutdown()
        server.server_close()
