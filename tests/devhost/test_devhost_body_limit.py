"""Request bodies over FUNCTIONS_REQUEST_BODY_SIZE_LIMIT are refused (413) before they fill memory.

Over a raw socket, so the test decides how much of a body is ever sent.
"""

from __future__ import annotations

import json
import socket

import pytest

from tests.devhost.harness import DevhostProcess, StartDevhost, devhost_env

LIMIT = 1000


@pytest.fixture
def limited_host(start_devhost: StartDevhost) -> DevhostProcess:
    return start_devhost(env=devhost_env(FUNCTIONS_REQUEST_BODY_SIZE_LIMIT=str(LIMIT)))


def exchange(host: DevhostProcess, head: str, *body_parts: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send the request head and body parts, then read the answer up to the end of its body; after
    a `Connection: close` answer, the host must close the connection."""
    assert host.port is not None
    with socket.create_connection(("127.0.0.1", host.port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1"))
        for part in body_parts:
            sock.sendall(part)
        received = b""
        while b"\r\n\r\n" not in received:
            received += sock.recv(65536)
        raw_head, _, body = received.partition(b"\r\n\r\n")
        status_line, *lines = raw_head.decode("latin-1").split("\r\n")
        headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        while len(body) < int(headers.get("content-length", "0")):
            body += sock.recv(65536)
        if headers.get("connection") == "close":
            assert sock.recv(65536) == b"", "the host kept the connection open"
        return int(status_line.split()[1]), headers, body


def post_head(host: DevhostProcess, length_header: str) -> str:
    return (f"POST /sample/echo HTTP/1.1\r\nHost: 127.0.0.1:{host.port}\r\n"
            f"Content-Type: application/octet-stream\r\n{length_header}\r\n\r\n")


def test_a_huge_content_length_is_refused_without_the_body_being_sent(limited_host: DevhostProcess) -> None:
    # Given a request that announces a terabyte and sends none of it
    status, headers, body = exchange(limited_host, post_head(limited_host, "Content-Length: 1000000000000"))

    # Then the host answers 413 problem+json at once: it read nothing of the body
    assert status == 413 and headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 413 and "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT" in json.loads(body)["detail"]


def test_a_chunked_body_over_the_limit_is_cut_off_with_413(limited_host: DevhostProcess) -> None:
    # Given a chunked body (no length to check) of which 1500 bytes are sent and whose end never comes
    chunk = b"%x\r\n%s\r\n" % (500, b"x" * 500)

    status, headers, body = exchange(limited_host, post_head(limited_host, "Transfer-Encoding: chunked"),
                                     chunk, chunk, chunk)

    # Then the host answers 413 while the body is still coming
    assert status == 413 and headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 413
    assert headers.get("connection") == "close"


def test_a_body_within_the_limit_reaches_the_function(limited_host: DevhostProcess) -> None:
    chunk = b"%x\r\n%s\r\n" % (500, b"x" * 500)

    status, headers, body = exchange(limited_host, post_head(limited_host, "Transfer-Encoding: chunked"),
                                     chunk, chunk, b"0\r\n\r\n")

    assert status == 201 and headers["x-echo-length"] == str(LIMIT) and body == b"x" * LIMIT


def test_an_invalid_limit_stops_start_up_naming_the_setting(start_devhost: StartDevhost) -> None:
    host = start_devhost(env=devhost_env(FUNCTIONS_REQUEST_BODY_SIZE_LIMIT="100MB"), wait=False)

    assert host.wait_exit() != 0
    assert "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT must be a positive number of bytes" in host.stderr
