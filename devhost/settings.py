"""App settings and host configuration, read the way Core Tools reads them.

* `local.settings.json` `Values` become environment variables, but a variable
  already set in the environment wins (so CI and scripts can override).
* `%NAME%` in a binding (e.g. a timer schedule) is an app-setting reference,
  resolved from the environment, then from the product's own defaults.
* `host.json` `extensions.http.routePrefix` sets the HTTP route prefix, and
  `extensions.queues` the queue trigger's polling, retries and concurrency.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_ROUTE_PREFIX",
    "MIN_POLLING_INTERVAL",
    "HostJson",
    "LocalSettings",
    "QueuesOptions",
    "SettingsError",
    "app_setting_defaults",
    "environ_flag",
    "load_local_settings",
    "read_host_json",
    "resolve_setting_references",
]

log = logging.getLogger("devhost.settings")

DEFAULT_ROUTE_PREFIX = "api"
_REFERENCE = re.compile(r"%([^%\s]+)%")
# .NET TimeSpan text as host.json writes it: [d.]hh:mm:ss[.fffffff]
_TIMESPAN = re.compile(
    r"^(?:(?P<days>\d+)\.)?(?P<hours>\d{1,2}):(?P<minutes>\d{1,2}):(?P<seconds>\d{1,2}(?:\.\d{1,7})?)$"
)


class SettingsError(Exception):
    """A setting or configuration file that stops start-up; the message names it."""


@dataclass(frozen=True)
class LocalSettings:
    path: Path | None
    applied: tuple[str, ...] = ()
    overridden: tuple[str, ...] = ()
    local_http_port: int | None = None
    cors_origins: tuple[str, ...] = ()
    cors_credentials: bool = False


def load_local_settings(path: Path, environ: MutableMapping[str, str]) -> LocalSettings:
    """Copy `Values` from local.settings.json into `environ` for keys not already set."""
    if not path.is_file():
        return LocalSettings(path=None)
    document = _read_json(path)
    if document.get("IsEncrypted") is True:
        raise SettingsError(f"{path}: encrypted values are not supported; write the values in plain text")
    values = document.get("Values") or {}
    if not isinstance(values, dict):
        raise SettingsError(f"{path}: 'Values' must be an object of app settings")
    applied: list[str] = []
    overridden: list[str] = []
    for key, raw in values.items():
        if raw is None:
            continue
        if key in environ:
            overridden.append(key)
            continue
        environ[key] = _setting_text(raw, key, path)
        applied.append(key)
    host = document.get("Host") or {}
    port = host.get("LocalHttpPort") if isinstance(host, dict) else None
    if port is not None and (isinstance(port, bool) or not isinstance(port, int)):
        raise SettingsError(f"{path}: 'Host.LocalHttpPort' must be a number, got {port!r}")
    cors = host.get("CORS", "") if isinstance(host, dict) else ""
    if not isinstance(cors, str):
        raise SettingsError(f"{path}: 'Host.CORS' must be a comma-separated string of origins")
    credentials = host.get("CORSCredentials", False) if isinstance(host, dict) else False
    return LocalSettings(
        path=path,
        applied=tuple(applied),
        overridden=tuple(overridden),
        local_http_port=port,
        cors_origins=tuple(origin.strip() for origin in cors.split(",") if origin.strip()),
        cors_credentials=credentials is True,
    )


def _setting_text(raw: Any, key: str, path: Path) -> str:
    # App settings are strings in Azure; JSON booleans and numbers are written as Azure would show them.
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (str, int, float)):
        return str(raw)
    raise SettingsError(f"{path}: value of '{key}' must be a string, number or boolean")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise SettingsError(f"{path}: expected a JSON object")
    return document


def app_setting_defaults() -> Mapping[str, str]:
    """The product's own defaults for app settings, if it defines them.

    Imported lazily and by name so the host works (and type-checks) with apps
    that have no `shared.settings` module.
    """
    try:
        module = importlib.import_module("shared.settings")
    except ImportError:
        return {}
    defaults = getattr(module, "APP_SETTING_DEFAULTS", None)
    if not isinstance(defaults, Mapping):
        return {}
    return {str(key): str(value) for key, value in defaults.items()}


def resolve_setting_references(
    text: str,
    *,
    environ: Mapping[str, str],
    defaults: Mapping[str, str],
    what: str,
) -> str:
    """Replace each `%NAME%` in `text` with the app setting NAME (environment first, then defaults)."""

    def replace(found: re.Match[str]) -> str:
        name = found.group(1)
        if name in environ:
            return environ[name]
        if name in defaults:
            return defaults[name]
        raise SettingsError(
            f"{what} refers to app setting '{name}', which is not set in the environment, "
            f"local.settings.json or the app's defaults"
        )

    return _REFERENCE.sub(replace, text)


@dataclass(frozen=True)
class QueuesOptions:
    """host.json `extensions.queues`, with the Storage Queues extension's (5.x) defaults."""

    max_polling_interval: float = 60.0  # seconds; an idle queue is polled with backoff up to this
    visibility_timeout: float = 0.0  # seconds a failed message stays invisible before its retry
    batch_size: int = 16  # messages fetched at once (1..32)
    new_batch_threshold: int = 8  # fetch again once this few are running; default batch_size / 2
    max_dequeue_count: int = 5  # tries before the message moves to <queue>-poison
    message_encoding: str = "base64"  # or "none"

    @property
    def max_parallel(self) -> int:
        return self.batch_size + self.new_batch_threshold


MIN_POLLING_INTERVAL = 0.1  # the extension's floor for maxPollingInterval, and its first wait


@dataclass(frozen=True)
class HostJson:
    path: Path | None
    route_prefix: str = DEFAULT_ROUTE_PREFIX
    queues: QueuesOptions = QueuesOptions()


def read_host_json(candidates: list[Path]) -> HostJson:
    """Read the first host.json among `candidates` (directories, in order of preference)."""
    for directory in candidates:
        path = directory / "host.json"
        if not path.is_file():
            continue
        document = _read_json(path)
        extensions = document.get("extensions") or {}
        http = extensions.get("http") if isinstance(extensions, dict) else None
        prefix: Any = DEFAULT_ROUTE_PREFIX
        if isinstance(http, dict) and "routePrefix" in http:
            prefix = http["routePrefix"]
        if not isinstance(prefix, str):
            raise SettingsError(f"{path}: extensions.http.routePrefix must be a string, got {prefix!r}")
        queues = extensions.get("queues") if isinstance(extensions, dict) else None
        return HostJson(
            path=path,
            route_prefix=prefix.strip().strip("/"),
            queues=_queues_options(queues or {}, path),
        )
    return HostJson(path=None)


def _queues_options(section: Any, path: Path) -> QueuesOptions:
    if not isinstance(section, dict):
        raise SettingsError(f"{path}: extensions.queues must be an object")
    where = f"{path}: extensions.queues"
    defaults = QueuesOptions()
    batch_size = _int_option(section, "batchSize", defaults.batch_size, 1, 32, where)
    encoding = section.get("messageEncoding", defaults.message_encoding)
    if not isinstance(encoding, str) or encoding.lower() not in ("base64", "none"):
        raise SettingsError(f"{where}.messageEncoding must be 'base64' or 'none', got {encoding!r}")
    polling = _timespan_option(section, "maxPollingInterval", defaults.max_polling_interval, where)
    if polling < MIN_POLLING_INTERVAL:
        raise SettingsError(f"{where}.maxPollingInterval must be at least 00:00:00.1")
    return QueuesOptions(
        max_polling_interval=polling,
        visibility_timeout=_timespan_option(section, "visibilityTimeout", defaults.visibility_timeout, where),
        batch_size=batch_size,
        new_batch_threshold=_int_option(section, "newBatchThreshold", batch_size // 2, 0, 10_000, where),
        max_dequeue_count=_int_option(section, "maxDequeueCount", defaults.max_dequeue_count, 1, 10_000, where),
        message_encoding=encoding.lower(),
    )


def _int_option(section: dict[str, Any], key: str, default: int, low: int, high: int, where: str) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingsError(f"{where}.{key} must be a whole number from {low} to {high}, got {value!r}")
    return value


def _timespan_option(section: dict[str, Any], key: str, default: float, where: str) -> float:
    if key not in section:
        return default
    raw = section[key]
    # A bare number is what the 1.x schema took (milliseconds); 2.x parses it as a TimeSpan of days,
    # a classic misconfiguration, so only the TimeSpan text is accepted.
    found = _TIMESPAN.match(raw.strip()) if isinstance(raw, str) else None
    if found is None:
        raise SettingsError(f'{where}.{key} must be a TimeSpan like "00:00:02", got {raw!r}')
    days = int(found.group("days") or 0)
    return (
        days * 86400
        + int(found.group("hours")) * 3600
        + int(found.group("minutes")) * 60
        + float(found.group("seconds"))
    )


def environ_flag(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """True for the usual spellings of yes; anything else (or unset) is false."""
    value = (environ if environ is not None else os.environ).get(name, "")
    return value.strip().lower() in ("1", "true", "yes", "on")
