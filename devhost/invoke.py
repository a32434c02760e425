"""Calling a user function the way the Python worker does, without blocking the event loop.

Async functions are awaited on the loop; sync ones run in a worker thread.
The threads are daemon threads rather than asyncio.to_thread's executor: that
executor is joined when the loop and the interpreter shut down, so one stuck
handler would keep SIGTERM from ever stopping the host. After the shutdown
grace period an unfinished thread is abandoned, as Azure abandons an instance.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import azure.functions as func
from azure.functions._abc import RetryContext, TraceContext

from devhost.functions import FunctionInfo

__all__ = ["InvocationContext", "call_user_function", "new_invocation_id", "run_in_thread", "stop_tasks"]

log = logging.getLogger("devhost.invoke")

T = TypeVar("T")


async def run_in_thread(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run `function` in a new daemon thread and await its result (context variables carried over)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    context = contextvars.copy_context()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.cancelled():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def work() -> None:
        try:
            result = context.run(function, *args, **kwargs)
        except BaseException as exc:  # handed to the awaiting task, not swallowed
            outcome: tuple[T | None, BaseException | None] = (None, exc)
        else:
            outcome = (result, None)
        # RuntimeError: the loop closed while this thread ran (host shut down); nobody is waiting.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, *outcome)

    name = getattr(function, "__name__", "function")
    threading.Thread(target=work, name=f"devhost-{name}", daemon=True).start()
    return await future


async def stop_tasks(
    loops: list[asyncio.Task[None]], running: list[asyncio.Task[None]], *, grace_seconds: float, what: str
) -> None:
    """Cancel the `loops` that start runs, give the `running` ones `grace_seconds` to finish, then abandon them."""
    for task in loops:
        task.cancel()
    await asyncio.gather(*loops, return_exceptions=True)
    loops.clear()
    if not running:
        return
    log.info("Waiting up to %.0fs for %d %s(s) to finish", grace_seconds, len(running), what)
    _, pending = await asyncio.wait(running, timeout=grace_seconds)
    for task in pending:
        log.warning("%s %s did not finish in time; abandoning it", what.capitalize(), task.get_name())
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


class _EmptyTraceContext(TraceContext):
    @property
    def trace_state(self) -> str:
        return ""

    @property
    def trace_parent(self) -> str:
        return ""

    @property
    def attributes(self) -> dict[str, str]:
        return {}


class InvocationContext(func.Context):
    """The `context` argument the worker passes to functions that ask for it."""

    _local = threading.local()

    def __init__(self, function_name: str, function_directory: str, invocation_id: str) -> None:
        self._function_name = function_name
        self._function_directory = function_directory
        self._invocation_id = invocation_id

    @property
    def invocation_id(self) -> str:
        return self._invocation_id

    @property
    def thread_local_storage(self) -> type[threading.local]:
        return self._local  # type: ignore[return-value]  # the SDK annotates the type, returns an instance

    @property
    def function_name(self) -> str:
        return self._function_name

    @property
    def function_directory(self) -> str:
        return self._function_directory

    @property
    def trace_context(self) -> TraceContext:
        return _EmptyTraceContext()

    @property
    def retry_context(self) -> RetryContext:
        raise NotImplementedError("devhost does not run retry policies")


def new_invocation_id() -> str:
    return str(uuid.uuid4())


async def call_user_function(function: FunctionInfo, trigger_value: Any, *, reason: str, invocation_id: str) -> Any:
    """Invoke one function, logging like Core Tools; exceptions propagate to the caller."""
    function_name = function.name
    user_function = function.user_function
    kwargs: dict[str, Any] = {function.trigger_arg: trigger_value}
    if function.wants_context:
        kwargs["context"] = InvocationContext(function_name, function.directory, invocation_id)
    log.info("Executing 'Functions.%s' (Reason='%s', Id=%s)", function_name, reason, invocation_id)
    started = time.perf_counter()
    outcome = "Failed"
    try:
        if inspect.iscoroutinefunction(user_function):
            result = await user_function(**kwargs)
        else:
            result = await run_in_thread(user_function, **kwargs)
            if inspect.isawaitable(result):
                result = await result
        outcome = "Succeeded"
        return result
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.info(
            "Executed 'Functions.%s' (%s, Id=%s, Duration=%.0fms)",
            function_name,
            outcome,
            invocation_id,
            elapsed_ms,
        )
