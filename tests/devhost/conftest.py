"""Fixtures that start `python -m devhost` subprocesses and always stop them again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.devhost.harness import (
    REPO_ROOT,
    SAMPLE_APP,
    DevhostProcess,
    StartDevhost,
    devhost_env,
    free_port,
)


@pytest.fixture
def start_devhost(tmp_path: Path) -> Iterator[StartDevhost]:
    """`start_devhost(env=..., cwd=..., app=..., port=..., wait=True)`; every host stops at teardown."""
    started: list[DevhostProcess] = []

    def start(
        *,
        env: dict[str, str] | None = None,
        cwd: Path = REPO_ROOT,
        app: str = SAMPLE_APP,
        port: int | None = 0,
        extra_args: list[str] | None = None,
        wait: bool = True,
    ) -> DevhostProcess:
        chosen = free_port() if port == 0 else port
        args = ["--app", app, *([] if chosen is None else ["--port", str(chosen)]), *(extra_args or [])]
        host = DevhostProcess(args, env if env is not None else devhost_env(), cwd, tmp_path, chosen)
        started.append(host)
        if wait:
            host.wait_ready()
        return host

    yield start
    for host in started:
        host.cleanup()


@pytest.fixture(scope="module")
def sample_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevhostProcess]:
    """One shared host of the sample app (timers off) for the read-only HTTP tests."""
    log_dir = tmp_path_factory.mktemp("devhost")
    port = free_port()
    # No front end here (even if someone built static-web in this checkout): the static tests bring their own.
    env = devhost_env(DEVHOST_STATIC_DIR=str(log_dir / "no-front-end"))
    host = DevhostProcess(["--app", SAMPLE_APP, "--port", str(port)], env, REPO_ROOT, log_dir, port)
    try:
        host.wait_ready()
        yield host
    finally:
        host.cleanup()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=20.0) as http:
        yield http
