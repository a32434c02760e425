"""Read the FunctionApp's registered functions: the one source of routes, schedules and queues.

The metadata comes from each function's own binding JSON (what the Python
worker reports to the Functions host in Azure), so the devhost and Azure see
the same routes, methods, schedules and queues.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "AppFunctions",
    "FunctionConfig",
    "FunctionInfo",
    "HttpFunction",
    "QueueFunction",
    "TimerFunction",
    "read_functions",
]

log = logging.getLogger("devhost.functions")

HTTP_TRIGGER = "httpTrigger"
TIMER_TRIGGER = "timerTrigger"
QUEUE_TRIGGER = "queueTrigger"
# The Functions host's storage connection when a binding names none.
DEFAULT_STORAGE_CONNECTION = "AzureWebJobsStorage"


class _Function(Protocol):
    def get_function_name(self) -> str | None: ...
    def get_function_json(self) -> str: ...
    def get_user_function(self) -> Callable[..., Any]: ...


@dataclass(frozen=True, kw_only=True)
class FunctionInfo:
    """What invoking any function needs."""

    name: str
    trigger_arg: str
    user_function: Callable[..., Any]
    wants_context: bool
    directory: str  # for context.function_directory


@dataclass(frozen=True, kw_only=True)
class HttpFunction(FunctionInfo):
    route: str
    methods: tuple[str, ...] | None  # None: every method, as in Azure when none are listed
    auth_level: str


@dataclass(frozen=True, kw_only=True)
class TimerFunction(FunctionInfo):
    schedule: str  # as registered, possibly a %SETTING% reference
    run_on_startup: bool


@dataclass(frozen=True, kw_only=True)
class QueueFunction(FunctionInfo):
    queue_name: str  # as registered, possibly a %SETTING% reference
    connection: str  # the app setting (or setting prefix, for identity-based connections)


@dataclass(frozen=True)
class FunctionConfig:
    """One registered function as the worker reports it to the Functions host (its binding JSON)."""

    name: str
    config: dict[str, Any]  # {"scriptFile": ..., "bindings": [...]}, as get_function_json() gave it


@dataclass(frozen=True)
class AppFunctions:
    http: tuple[HttpFunction, ...]
    timers: tuple[TimerFunction, ...]
    queues: tuple[QueueFunction, ...]
    skipped: tuple[str, ...]  # functions with triggers this host does not run
    # Every function, run here or not, in registration order: what the admin listing shows.
    configs: tuple[FunctionConfig, ...]


def read_functions(app: Any) -> AppFunctions:
    """Call `app.get_functions()` (once: it raises if called twice) and sort the triggers."""
    get_functions = getattr(app, "get_functions", None)
    if not callable(get_functions):
        raise TypeError(f"{app!r} is not an azure.functions.FunctionApp (it has no get_functions())")
    http: list[HttpFunction] = []
    timers: list[TimerFunction] = []
    queues: list[QueueFunction] = []
    skipped: list[str] = []
    configs: list[FunctionConfig] = []
    for function in get_functions():
        configs.append(_read_one(function, http, timers, queues, skipped))
    return AppFunctions(
        http=tuple(http), timers=tuple(timers), queues=tuple(queues), skipped=tuple(skipped), configs=tuple(configs)
    )


def _read_one(
    function: _Function,
    http: list[HttpFunction],
    timers: list[TimerFunction],
    queues: list[QueueFunction],
    skipped: list[str],
) -> FunctionConfig:
    user_function = function.get_user_function()
    name = function.get_function_name() or user_function.__name__
    config: dict[str, Any] = json.loads(function.get_function_json())
    bindings: list[dict[str, Any]] = config.setdefault("bindings", [])
    listed = FunctionConfig(name=name, config=config)
    trigger = next((b for b in bindings if str(b.get("type", "")).endswith("Trigger")), None)
    if trigger is None:
        skipped.append(f"{name} (no trigger)")
        return listed
    trigger_type = str(trigger["type"])
    trigger_arg = str(trigger.get("name", "req"))
    wants_context = _wants_context(user_function, trigger_arg, name, bindings)
    directory = _directory_of(user_function)
    if trigger_type == HTTP_TRIGGER:
        methods = trigger.get("methods")
        http.append(
            HttpFunction(
                name=name,
                # The SDK fills in the function name when no route is given; be as kind if it didn't.
                route=str(trigger.get("route") or name),
                methods=tuple(str(m).upper() for m in methods) if methods else None,
                auth_level=str(trigger.get("authLevel") or "function").lower(),
                trigger_arg=trigger_arg,
                user_function=user_function,
                wants_context=wants_context,
                directory=directory,
            )
        )
    elif trigger_type == TIMER_TRIGGER:
        timers.append(
            TimerFunction(
                name=name,
                schedule=str(trigger.get("schedule", "")),
                run_on_startup=bool(trigger.get("runOnStartup")),
                trigger_arg=trigger_arg,
                user_function=user_function,
                wants_context=wants_context,
                directory=directory,
            )
        )
    elif trigger_type == QUEUE_TRIGGER:
        queues.append(
            QueueFunction(
                name=name,
                queue_name=str(trigger.get("queueName", "")),
                connection=str(trigger.get("connection") or DEFAULT_STORAGE_CONNECTION),
                trigger_arg=trigger_arg,
                user_function=user_function,
                wants_context=wants_context,
                directory=directory,
            )
        )
    else:
        skipped.append(f"{name} ({trigger_type})")
    return listed


def _wants_context(
    user_function: Callable[..., Any], trigger_arg: str, name: str, bindings: list[dict[str, Any]]
) -> bool:
    # The Python worker passes `context` by parameter name; other bindings are not emulated here.
    try:
        parameters = inspect.signature(user_function).parameters
    except (TypeError, ValueError):
        return False
    output_names = {str(b.get("name")) for b in bindings if b.get("direction") == "OUT"}
    for parameter in parameters.values():
        if parameter.name in (trigger_arg, "context") or parameter.default is not inspect.Parameter.empty:
            continue
        if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        kind = "output binding" if parameter.name in output_names else "parameter"
        log.warning("Function %s: %s '%s' is not supported by devhost; calls will fail", name, kind, parameter.name)
    return "context" in parameters


def _directory_of(user_function: Callable[..., Any]) -> str:
    try:
        return os.path.dirname(os.path.abspath(inspect.getfile(user_function)))
    except TypeError:
        return os.getcwd()
