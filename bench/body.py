"""body: the local host's memory while a caller posts a huge body (issue 10: 300 MB took it from 57
to 640 MB resident).

A `python -m devhost` process serves the app (AUTH_MODE=swa, no principal: the function would answer
401, but the host reads the body first). The bench posts `--body-mb` MB to the create endpoint twice,
once announced by Content-Length and once chunked (no length to check), and reads the host's peak
resident memory (VmHWM, Linux) after each. The goal: whatever the size posted, the peak grows by
no more than the limit, FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (100 MB by default; a body just under it
is held to be handed to the function, as the Functions host holds it), plus some slack: an announced
body over the limit is refused before any of it is read, a chunked one once the limit is passed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

CHUNK = 1024 * 1024
DEFAULT_LIMIT_MB = 104_857_600 / CHUNK  # the Functions host's default body limit
SLACK_MB = 32.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM: this benchmark needs Linux /proc")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a host the benchmark started, and kill it if it does not end in time."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError("the host exited during start-up")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the host did not start listening")


def post(port: int, body_mb: int, chunked: bool) -> tuple[str, int]:
    """Post `body_mb` MB until the host answers or closes; its status line and the bytes sent."""
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {body_mb * CHUNK}"
    head = (f"POST /api/databricks/access-requests HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\n{length}\r\n\r\n").encode()
    piece = (b"%x\r\n%s\r\n" % (CHUNK, b" " * CHUNK)) if chunked else b" " * CHUNK
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        try:
            for _ in range(body_mb):
                sock.sendall(piece)
                sent += CHUNK
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:  # the host answered and closed while the body was still coming
            pass
        try:
            status = sock.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
        except OSError as error:
            status = f"(no answer: {type(error).__name__})"
    return status, sent


def run(directory: Path, body_mb: int) -> None:
    port = free_port()
    env = {**os.environ, "AUTH_MODE": "swa", "DB_BACKEND": "sqlite", "SQLITE_PATH": str(directory / "b.db"),
           "DEVHOST_DISABLE_TIMERS": "1", "DEVHOST_STATIC_DIR": str(directory / "no-front-end"),
           # the run queue's functions need a storage setting; this benchmark runs none of them
           "AzureWebJobsStorage": "UseDevelopmentStorage=true", "DEVHOST_DISABLE_QUEUES": "1"}
    host = subprocess.Popen([sys.executable, "-m", "devhost", "--port", str(port)], env=env, cwd=directory,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, host)
        idle = peak_mb(host.pid)
        print(f"body: {body_mb} MB posted to the local host (unauthenticated); peak resident memory (VmHWM)")
        print(f"  idle: {idle:.0f} MB")
        worst = idle
        for chunked in (False, True):
            status, sent = post(port, body_mb, chunked)
            worst = max(worst, peak_mb(host.pid))
            how = "chunked" if chunked else "with Content-Length"
            print(f"  {how}: answer {status!r} after {sent / CHUNK:.0f} MB sent; peak now {worst:.0f} MB")
        grown, goal = worst - idle, min(body_mb, DEFAULT_LIMIT_MB) + SLACK_MB
        verdict = "met" if grown <= goal else "MISSED"
        print(f"  peak grew {grown:.0f} MB over idle (goal: at most the {DEFAULT_LIMIT_MB:.0f} MB limit "
              f"+ {SLACK_MB:.0f}): {verdict}")
    finally:
        stop(host)
