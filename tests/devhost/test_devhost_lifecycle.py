"""Starting, configuring and stopping the devhost process."""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
from pathlib import Path

import httpx
import pytest

import devhost.server as server_module
from tests.devhost.harness import REPO_ROOT, StartDevhost, devhost_env, free_port, wait_until


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_shuts_down_cleanly_with_exit_code_0(start_devhost: StartDevhost, sig: int) -> None:
    # given a running host with its timers on
    host = start_devhost(env=devhost_env(DEVHOST_DISABLE_TIMERS=None))
    assert httpx.get(host.url("/sample/hello")).status_code == 200
    # when it is sent the signal
    code = host.terminate(sig)
    # then it stops by itself, cleanly
    assert code == 0, host.stderr
    assert "devhost stopped" in host.stderr
    assert "Traceback" not in host.stderr


def test_sigterm_lets_a_request_in_flight_finish(start_devhost: StartDevhost) -> None:
    # given a slow request in flight
    host = start_devhost()
    results: dict[str, httpx.Response] = {}

    def call_slow() -> None:
        results["slow"] = httpx.get(host.url("/sample/slow?seconds=2"), timeout=30.0)

    caller = threading.Thread(target=call_slow)
    caller.start()
    try:
        assert _wait_for_log(host.stderr_path, "Executing 'Functions.slow'")
        # when SIGTERM arrives
        code = host.terminate()
    finally:
        caller.join(timeout=30.0)
    # then the request still got its answer and the host exited 0
    assert results["slow"].text == "slow done"
    assert code == 0


def test_port_defaults_to_the_port_environment_variable(start_devhost: StartDevhost) -> None:
    # given PORT in the environment and no --port
    port = free_port()
    host = start_devhost(env=devhost_env(PORT=str(port)), port=None, wait=False)
    host.port = port
    # then the host listens there
    host.wait_ready()
    assert httpx.get(host.url("/sample/hello")).text == "hello world"


def test_a_port_in_use_stops_start_up_with_a_clear_message(start_devhost: StartDevhost) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        host = start_devhost(port=port, wait=False)
        assert host.wait_exit() == 1
    assert f"cannot listen on 127.0.0.1:{port}" in host.stderr


def test_an_unknown_app_stops_start_up_with_a_clear_message(start_devhost: StartDevhost) -> None:
    host = start_devhost(app="tests.devhost.no_such_module:app", wait=False)
    assert host.wait_exit() == 1
    assert "cannot import app module 'tests.devhost.no_such_module'" in host.stderr
    other = start_devhost(app="tests.devhost.sample_app:no_such_app", wait=False)
    assert other.wait_exit() == 1
    assert "has no attribute 'no_such_app'" in other.stderr
    not_an_app = start_devhost(app="tests.devhost.sample_app:json", wait=False)
    assert not_an_app.wait_exit() == 1
    assert "is not an azure.functions.FunctionApp" in not_an_app.stderr


def test_an_app_that_fails_to_import_stops_start_up_with_its_traceback(
    start_devhost: StartDevhost, tmp_path: Path
) -> None:
    (tmp_path / "broken_app.py").write_text("raise RuntimeError('SQLITE_PATH: bad value')\n", encoding="utf-8")
    env = devhost_env(PYTHONPATH=f"{REPO_ROOT}:{tmp_path}")
    host = start_devhost(env=env, app="broken_app:app", wait=False)
    assert host.wait_exit() == 1
    assert "the app failed to load" in host.stderr
    assert "Traceback" in host.stderr and "SQLITE_PATH: bad value" in host.stderr


def test_an_empty_route_prefix_serves_functions_at_the_root(start_devhost: StartDevhost, tmp_path: Path) -> None:
    # given an app module whose host.json sets routePrefix ""
    package = tmp_path / "prefixless"
    package.mkdir()
    (package / "prefixless_app.py").write_text(
        "from tests.devhost.sample_app import app  # noqa: F401\n", encoding="utf-8"
    )
    (package / "host.json").write_text('{"version": "2.0", "extensions": {"http": {"routePrefix": ""}}}')
    env = devhost_env(PYTHONPATH=f"{REPO_ROOT}:{package}", DEVHOST_STATIC_DIR=str(tmp_path / "none"))
    # when the host serves it
    host = start_devhost(env=env, app="prefixless_app:app")
    # then functions answer at the root, and other paths are still 404
    assert httpx.get(host.url("/hello")).text == "hello world"
    assert httpx.get(host.url("/sample/hello")).status_code == 404
    assert f"hello: [GET] {host.base_url}/hello" in host.stdout


def test_two_hosts_run_side_by_side_on_different_ports(start_devhost: StartDevhost) -> None:
    # given two hosts of the same app (as two scaled-out Function instances)
    first = start_devhost()
    second = start_devhost()
    # then both serve independently
    assert first.port != second.port
    assert httpx.get(first.url("/sample/hello")).status_code == 200
    assert httpx.get(second.url("/sample/hello")).status_code == 200


def _wait_for_log(path: Path, text: str, timeout: float = 10.0) -> bool:
    return wait_until(lambda: text in path.read_text(encoding="utf-8", errors="replace"), timeout)


def test_local_settings_host_cors_is_applied_like_func_start(start_devhost: StartDevhost, tmp_path: Path) -> None:
    # given local.settings.json allowing the Vite dev server's origin
    (tmp_path / "local.settings.json").write_text(
        '{"Values": {}, "Host": {"CORS": "http://localhost:5173"}}', encoding="utf-8"
    )
    host = start_devhost(cwd=tmp_path)
    # when that origin makes a preflight and a request, and another origin a request
    preflight = httpx.options(
        host.url("/sample/echo"),
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"},
    )
    allowed = httpx.get(host.url("/sample/hello"), headers={"Origin": "http://localhost:5173"})
    other = httpx.get(host.url("/sample/hello"), headers={"Origin": "http://evil.example"})
    # then only the configured origin is allowed
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "access-control-allow-origin" not in other.headers


def test_the_listening_socket_gives_connections_that_send_small_answers_at_once() -> None:
    # Given the socket devhost listens on, served by asyncio as uvicorn serves it
    listening = server_module._bind("127.0.0.1", 0)
    nodelay: list[int] = []

    async def scenario() -> None:
        seen = asyncio.Event()

        def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            nodelay.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            seen.set()
            writer.close()

        server = await asyncio.start_server(accepted, sock=listening)
        async with server:
            # When a client connects
            _, writer = await asyncio.open_connection(*listening.getsockname())
            await asyncio.wait_for(seen.wait(), 10)
            writer.close()

    asyncio.run(scenario())

    # Then the accepted connection has Nagle off: a short answer's last segment is not held back
    # until the client's delayed ACK (40 ms on every reused keep-alive connection)
    assert nodelay == [1]
