"""Putting the host together: settings, the app's functions, uvicorn, timers, queues, Azurite, shutdown."""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import uvicorn
from starlette.applications import Starlette

from devhost.azurite import AzuriteError, SharedAzurite, find_azurite
from devhost.functions import AppFunctions, read_functions
from devhost.http import (
    BODY_LIMIT_SETTING,
    DEFAULT_MAX_BODY_BYTES,
    FunctionsHttpApp,
    RouteTable,
    build_asgi_app,
)
from devhost.queues import DEFAULT_LEASE_SECONDS, PreparedQueue, QueueListener, prepare_queues
from devhost.settings import (
    HostJson,
    LocalSettings,
    SettingsError,
    app_setting_defaults,
    environ_flag,
    load_local_settings,
    read_host_json,
)
from devhost.static import StaticSite, find_static_dir, read_swa_config
from devhost.storage import DEVELOPMENT_QUEUE_PORT, StorageAccount
from devhost.timers import ScheduledTimer, TimerScheduler, prepare_timers

__all__ = ["DEFAULT_PORT", "Host", "HostOptions", "StartupError", "prepare_host"]

log = logging.getLogger("devhost")

DEFAULT_PORT = 7071
DEFAULT_SHUTDOWN_SECONDS = 10.0


class StartupError(Exception):
    """Start-up cannot go on; the message says why (printed without a traceback)."""


@dataclass(frozen=True)
class HostOptions:
    app_ref: str = "function_app:app"
    port: int | None = None
    host: str = "127.0.0.1"
    cwd: Path = field(default_factory=Path.cwd)


@dataclass
class Host:
    options: HostOptions
    port: int
    local_settings: LocalSettings
    host_json: HostJson
    functions: AppFunctions
    table: RouteTable
    timers: list[ScheduledTimer]
    timers_enabled: bool
    queues: list[PreparedQueue]
    queues_enabled: bool
    lease_seconds: float
    azurite: SharedAzurite | None
    static: StaticSite | None
    shutdown_seconds: float
    max_body_bytes: int

    @property
    def base_url(self) -> str:
        host = self.options.host
        if host in ("0.0.0.0", "::", ""):  # noqa: S104 - naming the wildcard, not binding to it
            host = "localhost"
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def describe(self) -> str:
        """The start-up banner: every function found, as `func start` lists them."""
        lines = ["", "Functions:", ""]
        for route in sorted(self.table.routes, key=lambda r: r.function.name.casefold()):
            function = route.function
            methods = ",".join(function.methods) if function.methods else "ALL"
            note = ""
            if function.auth_level != "anonymous":
                note = f" (authLevel {function.auth_level}: not enforced locally, as with func start)"
            url = self.table.url_of(route, self.base_url)
            lines.append(f"        {function.name}: [{methods}] {url}{note}")
        for timer in sorted(self.timers, key=lambda t: t.function.name.casefold()):
            state = "" if self.timers_enabled else " (timers disabled by DEVHOST_DISABLE_TIMERS)"
            lines.append(
                f"        {timer.function.name}: timerTrigger '{timer.schedule.expression}' (UTC)"
                f" from '{timer.function.schedule}'{state}"
            )
        for queue in sorted(self.queues, key=lambda q: q.function.name.casefold()):
            state = "" if self.queues_enabled else " (queues disabled by DEVHOST_DISABLE_QUEUES)"
            lines.append(
                f"        {queue.function.name}: queueTrigger '{queue.queue_name}' ({queue.storage.describe()}){state}"
            )
        for skipped in self.functions.skipped:
            lines.append(f"        {skipped}: not supported by devhost, skipped")
        lines.append("")
        front = (
            f"Front end: {self.base_url}/ (from {self.static.root})"
            if self.static is not None and self.static.built
            else "Front end: not built"
        )
        lines.append(front)
        if self.static is not None and self.static.config.path is not None:
            lines.append(f"Static Web Apps config: {self.static.config.path} (globalHeaders, navigationFallback)")
        prefix = f"/{self.table.prefix}" if self.table.prefix else ""
        lines.append(f"Host listening on {self.base_url} (API under {self.base_url}{prefix}/).")
        lines.append("Press Ctrl+C to stop.")
        return "\n".join(lines)

    def asgi_app(self) -> Starlette:
        scheduler = TimerScheduler(self.timers if self.timers_enabled else [])
        listener = QueueListener(
            self.queues if self.queues_enabled else [],
            self.host_json.queues,
            lease_seconds=self.lease_seconds,
            on_unreachable=self._restart_azurite,
        )

        @asynccontextmanager
        async def lifespan(_: Starlette) -> AsyncIterator[None]:
            scheduler.start()
            listener.start()
            try:
                yield
            finally:
                await asyncio.gather(scheduler.stop(self.shutdown_seconds), listener.stop(self.shutdown_seconds))

        return build_asgi_app(
            FunctionsHttpApp(self.table, self.static, self.max_body_bytes, self.functions.configs),
            lifespan=lifespan,
            cors_origins=self.local_settings.cors_origins,
            cors_credentials=self.local_settings.cors_credentials,
            global_headers=self.static.config.global_headers if self.static is not None else None,
        )

    def _restart_azurite(self, storage: StorageAccount) -> None:
        # The shared Azurite went away (stopped by hand, crashed): start another, as at start-up.
        if self.azurite is not None and storage.development_port == self.azurite.port:
            try:
                self.azurite.ensure()
            except AzuriteError as exc:
                log.warning("%s", exc)

    def run(self) -> int:
        try:
            return self._serve()
        finally:
            if self.azurite is not None:
                self.azurite.release()

    def _serve(self) -> int:
        config = uvicorn.Config(
            self.asgi_app(),
            host=self.options.host,
            port=self.port,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=int(max(1, round(self.shutdown_seconds))),
        )
        server = _Server(config, on_started=lambda: print(self.describe(), flush=True))
        sock = _bind(self.options.host, self.port)
        self.port = sock.getsockname()[1]  # for --port 0

        def stop(signum: int, frame: FrameType | None) -> None:
            # uvicorn handles signals while serving and re-raises them after it stopped;
            # this handler turns that re-raise (or an early signal) into a clean stop, exit 0.
            server.should_exit = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        asyncio.run(server.serve(sockets=[sock]))
        log.info("devhost stopped")
        return 0


class _Server(uvicorn.Server):
    """uvicorn's server, telling us once it is listening (so the printed URL answers at once)."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_started()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not left 0: asyncio sets TCP_NODELAY only on accepted sockets whose proto
    # says TCP, and without it Nagle holds a small answer's body back for the client's delayed ACK
    # (40 ms on every reused keep-alive connection).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock


def prepare_host(options: HostOptions, environ: MutableMapping[str, str] | None = None) -> Host:
    """Everything up to listening: fails fast with StartupError on any configuration problem."""
    env = os.environ if environ is None else environ
    try:
        local_settings = load_local_settings(options.cwd / "local.settings.json", env)
        if local_settings.path is not None:
            log.info(
                "Loaded %d app setting(s) from %s (%d already set in the environment)",
                len(local_settings.applied),
                local_settings.path,
                len(local_settings.overridden),
            )
        port = _choose_port(options.port, env, local_settings)
        shutdown_seconds = _float_setting(env, "DEVHOST_SHUTDOWN_TIMEOUT", DEFAULT_SHUTDOWN_SECONDS)
        max_body_bytes = _byte_count_setting(env, BODY_LIMIT_SETTING, DEFAULT_MAX_BODY_BYTES)
        lease_seconds = _float_setting(env, "DEVHOST_QUEUE_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)
        development_port = _port_setting(env, "DEVHOST_AZURITE_QUEUE_PORT") or DEVELOPMENT_QUEUE_PORT
    except SettingsError as exc:
        raise StartupError(str(exc)) from exc
    # Outside the try: an error while importing the app keeps its traceback.
    module, app = _import_app(options.app_ref, options.cwd)
    try:
        functions = read_functions(app)
        host_json = read_host_json(_host_json_dirs(module, options.cwd))
        table = RouteTable(functions.http, host_json.route_prefix)
        timers = prepare_timers(functions.timers, environ=env, defaults=app_setting_defaults())
        queues = prepare_queues(
            functions.queues, environ=env, defaults=app_setting_defaults(), development_port=development_port
        )
    except (SettingsError, ValueError) as exc:  # bad routes, duplicate function names, schedules, queues
        raise StartupError(str(exc)) from exc
    queues_enabled = not environ_flag("DEVHOST_DISABLE_QUEUES", env)
    azurite = None
    if queues_enabled and any(queue.storage.development_port is not None for queue in queues):
        try:
            azurite = SharedAzurite(development_port, find_azurite([options.cwd, Path(__file__).resolve().parent]))
            azurite.ensure()
        except AzuriteError as exc:
            raise StartupError(str(exc)) from exc
    static_root = find_static_dir(env, options.cwd)
    try:
        swa_config = read_swa_config(static_root)
    except ValueError as exc:
        raise StartupError(str(exc)) from exc
    host = Host(
        options=options,
        port=port,
        local_settings=local_settings,
        host_json=host_json,
        functions=functions,
        table=table,
        timers=timers,
        timers_enabled=not environ_flag("DEVHOST_DISABLE_TIMERS", env),
        queues=queues,
        queues_enabled=queues_enabled,
        lease_seconds=lease_seconds,
        azurite=azurite,
        static=None,
        shutdown_seconds=shutdown_seconds,
        max_body_bytes=max_body_bytes,
    )
    api_base_url = f"{host.base_url}/{table.prefix}/" if table.prefix else f"{host.base_url}/"
    host.static = StaticSite(static_root, api_base_url=api_base_url, config=swa_config)
    return host


def _choose_port(cli_port: int | None, env: MutableMapping[str, str], local_settings: LocalSettings) -> int:
    # --port, then PORT (environment or local.settings.json Values), then Host.LocalHttpPort, then 7071.
    if cli_port is not None:
        return cli_port
    port = _port_setting(env, "PORT", lowest=0)
    if port is not None:
        return port
    return local_settings.local_http_port or DEFAULT_PORT


def _port_setting(env: MutableMapping[str, str], name: str, *, lowest: int = 1) -> int | None:
    raw = env.get(name)
    if not raw:
        return None
    try:
        port = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a port number, got {raw!r}") from None
    if not lowest <= port <= 65535:
        raise SettingsError(f"{name} must be between {lowest} and 65535, got {port}")
    return port


def _float_setting(env: MutableMapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{name} must not be negative, got {raw!r}")
    return value


def _byte_count_setting(env: MutableMapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    if not raw.strip().isdigit() or int(raw) < 1:
        raise SettingsError(f"{name} must be a positive number of bytes, got {raw!r}")
    return int(raw)


def _import_app(app_ref: str, cwd: Path) -> tuple[ModuleType, Any]:
    module_name, _, attribute = app_ref.partition(":")
    if not module_name or not attribute:
        raise StartupError(f"--app must look like MODULE:ATTRIBUTE, got {app_ref!r}")
    # Like `func start`, the app's folder is importable (python -m only adds it when run from there).
    if str(cwd) not in sys.path and "" not in sys.path:
        sys.path.insert(0, str(cwd))
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise StartupError(f"cannot import app module '{module_name}' (from {cwd}): {exc}") from exc
        raise
    app: Any = module
    for part in attribute.split("."):
        if not hasattr(app, part):
            raise StartupError(f"module '{module_name}' has no attribute '{attribute}'")
        app = getattr(app, part)
    if not callable(getattr(app, "get_functions", None)):
        raise StartupError(f"'{app_ref}' is not an azure.functions.FunctionApp (it has no get_functions())")
    return module, app


def _host_json_dirs(module: ModuleType, cwd: Path) -> list[Path]:
    # host.json sits beside function_app.py in a Functions project; the working directory is the fallback.
    directories: list[Path] = []
    module_file = getattr(module, "__file__", None)
    if module_file:
        directories.append(Path(module_file).resolve().parent)
    directories.append(cwd)
    return directories
