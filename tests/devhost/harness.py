"""Running `python -m devhost` as a real subprocess for the tests, and stopping it again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_APP = "tests.devhost.sample_app:app"
EVERY_SECOND = "*/1 * * * * *"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; the result says which."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


@contextmanager
def running_azurite(location: Path) -> Iterator[str]:
    """A real Azurite queue service on a free port, data in `location`; yields its connection string."""
    from devhost.azurite import azurite_command, find_azurite, is_answering
    from devhost.storage import development_connection_string

    port = free_port()
    with (location / "azurite.log").open("wb") as log:
        process = subprocess.Popen(
            azurite_command(find_azurite([REPO_ROOT]), port, location), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        assert wait_until(lambda: is_answering(port), timeout=60.0), "Azurite did not start"
        yield development_connection_string(port)
    finally:
        # Azurite closes gracefully only once clients' keep-alive connections end; its data is scrap anyway.
        process.kill()
        process.wait(timeout=20)


class DevhostProcess:
    """One `python -m devhost` child; output goes to files so a full pipe can never stall it."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, log_dir: Path, port: int | None) -> None:
        self.port = port
        self.stdout_path = log_dir / f"devhost-{id(self)}.out"
        self.stderr_path = log_dir / f"devhost-{id(self)}.err"
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "devhost", *args],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Block until the host answers HTTP (the banner is printed once it listens)."""

        def answering() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"devhost exited with {self.process.returncode}:\n{self.stderr}")
            if "Host listening on" not in self.stdout:
                return False
            try:
                httpx.get(self.base_url + "/", timeout=2.0)
            except httpx.TransportError:
                return False
            return True

        if not wait_until(answering, timeout):
            raise AssertionError(f"devhost did not start within {timeout}s:\n{self.stderr}")

    def wait_exit(self, timeout: float = STOP_TIMEOUT) -> int:
        return self.process.wait(timeout=timeout)

    def terminate(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.wait_exit()

    def cleanup(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)


def devhost_env(**overrides: str | None) -> dict[str, str]:
    """The child's environment: repo importable, timers and queues off unless asked, no inherited host settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DEVHOST_", "SAMPLE_"))}
    env.pop("PORT", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env["DEVHOST_DISABLE_TIMERS"] = "1"
    env["SAMPLE_TICK_SCHEDULE"] = EVERY_SECOND
    env["DEVHOST_DISABLE_QUEUES"] = "1"
    env["AzureWebJobsStorage"] = "UseDevelopmentStorage=true"
    env["SAMPLE_WORK_QUEUE"] = "sample-work"
    env["SAMPLE_FAILING_QUEUE"] = "sample-fails"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


StartDevhost = Callable[..., DevhostProcess]
