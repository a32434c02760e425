"""Traces, metrics and logs to Application Insights through OpenTelemetry (DESIGN section 8).

Nothing is exported unless APPLICATIONINSIGHTS_CONNECTION_STRING is set: `configure_telemetry`
then hands the process to `azure-monitor-opentelemetry`, which reads the connection string (and
APPLICATIONINSIGHTS_AUTHENTICATION_STRING: Entra authentication with the managed identity, as
Application Insights has local auth disabled) from the environment. Otherwise the instruments below
stay OpenTelemetry's no-op proxies and no log filter is installed, so the app pays next to nothing.

A run is one span, `run_span`; the run's job id sits in a context variable for its duration, which
asyncio tasks and `asyncio.to_thread` inherit, so every log line of the run carries `job_id`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from opentelemetry import metrics, trace

from shared.mail.senders import SendThrottled

CONNECTION_STRING = "APPLICATIONINSIGHTS_CONNECTION_STRING"


class Instruments:
    """The tracer and the metric instruments, made from one pair of providers."""

    def __init__(self, tracer_provider: trace.TracerProvider, meter_provider: metrics.MeterProvider) -> None:
        self.tracer = tracer_provider.get_tracer(__name__)
        meter = meter_provider.get_meter(__name__)
        self.runs = meter.create_counter("job.runs", description="Job runs, by job type and outcome")
        self.run_duration = meter.create_histogram("job.run.duration", unit="s", description="Job run duration")
        self.processed = meter.create_counter("job.processed", description="Items a run processed")
        self.failed = meter.create_counter("job.failed", description="Items a run attempted and failed")
        self.not_started = meter.create_counter("job.not_started", description="Items a run left for the next one")
        self.busy = meter.create_counter("job.busy", description="Runs not started: the job's lock was held (409)")
        self.send_duration = meter.create_histogram("email.send.duration", unit="s",
                                                    description="One email send, by outcome")
        self.throttled = meter.create_counter("email.throttled", description="Sends refused for throttling")


# The global providers are proxies until configured: instruments made from them follow once they are.
_instruments = Instruments(trace.get_tracer_provider(), metrics.get_meter_provider())


def use_providers(tracer_provider: trace.TracerProvider, meter_provider: metrics.MeterProvider) -> None:
    global _instruments
    _instruments = Instruments(tracer_provider, meter_provider)


@dataclass
class _Run:
    job_id: str
    processed: int = 0
    failed: int = 0
    not_started: int = 0
    lock_lost: bool = False


_current_run: ContextVar[_Run | None] = ContextVar("telemetry_run", default=None)


class JobIdFilter(logging.Filter):
    """Adds the current run's `job_id` to a record (a custom dimension in Application Insights)."""

    def filter(self, record: logging.LogRecord) -> bool:
        run = _current_run.get()
        if run is not None:
            record.job_id = run.job_id
        return True


def configure_telemetry(environ: Mapping[str, str] = os.environ) -> bool:
    """Export to Application Insights when its connection string is set; True if it now does."""
    if not environ.get(CONNECTION_STRING):
        return False
    from azure.monitor.opentelemetry import configure_azure_monitor  # only then: its import is not free
    from opentelemetry.instrumentation.logging.handler import LoggingHandler

    configure_azure_monitor(logger_name="")  # the root logger: every module's log lines
    for handler in logging.getLogger().handlers:
        if isinstance(handler, LoggingHandler):
            handler.addFilter(JobIdFilter())
    return True


@contextmanager
def run_span(job_type: str, job_id: str, requested_by: str | None) -> Iterator[None]:
    """One run: its span, its job id on every log line, and its metrics when it ends (outcome
    `completed`, `lock_lost`, or `crashed` when the body raises). `requested_by` when known."""
    run = _Run(job_id)
    token = _current_run.set(run)
    started = time.perf_counter()
    outcome = "crashed"
    try:
        requester = {"job.requested_by": requested_by} if requested_by else {}
        with _instruments.tracer.start_as_current_span(f"{job_type} run", attributes={
                "job.type": job_type, "job.id": job_id, **requester}) as span:
            yield
            outcome = "lock_lost" if run.lock_lost else "completed"
            span.set_attributes({"job.processed": run.processed, "job.failed": run.failed,
                                 "job.not_started": run.not_started, "job.lock_lost": run.lock_lost,
                                 "job.outcome": outcome})
    finally:
        _current_run.reset(token)
        by_type = {"job.type": job_type}
        _instruments.runs.add(1, {**by_type, "job.outcome": outcome})
        _instruments.run_duration.record(time.perf_counter() - started, {**by_type, "job.outcome": outcome})
        _instruments.processed.add(run.processed, by_type)
        _instruments.failed.add(run.failed, by_type)
        _instruments.not_started.add(run.not_started, by_type)


def record_run_outcome(processed: int, failed: int, not_started: int, lock_lost: bool) -> None:
    """What the current run did; `run_span` reports it when the run ends."""
    run = _current_run.get()
    if run is not None:
        run.processed, run.failed, run.not_started, run.lock_lost = processed, failed, not_started, lock_lost


def record_busy(job_type: str) -> None:
    """A run not started because another holds the job's lock (the API answers 409)."""
    _instruments.busy.add(1, {"job.type": job_type})


def record_send(latency_s: float, error: BaseException | None) -> None:
    """One send, ended (after any retries): `sent`, `timeout` (or unconfirmed), `throttled` (the
    provider's 429 or 503, past the run's budget to wait for) or `failed`."""
    outcome = ("sent" if error is None else "timeout" if isinstance(error, TimeoutError)
               else "throttled" if isinstance(error, SendThrottled) else "failed")
    _instruments.send_duration.record(latency_s, {"email.outcome": outcome})


def record_throttled() -> None:
    """A send refused for throttling, whether or not it is tried again."""
    _instruments.throttled.add(1)
