"""Telemetry: a run's span, metrics and job-id log attributes, through OpenTelemetry's in-memory
exporters set up as `configure_telemetry` sets up the Azure Monitor ones (minus the exporter)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry import metrics, trace
from opentelemetry.instrumentation.logging.handler import LoggingHandler
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from shared import joblock, telemetry
from shared.db import Connection
from shared.jobs.locked_run import (
    JobBusy,
    JobContext,
    JobCrashed,
    JobDone,
    WorkResult,
    run_locked,
    run_taken_over,
    start_locked,
)
from shared.jobs.notifications import notification_work, run_notification_job
from shared.mail.message import Reminder
from shared.mail.senders import SendThrottled
from shared.platforms import JobKind, all_platforms
from shared.settings import Settings, load_settings
from tests.jobs_support import RecordingSender, add_request

log = logging.getLogger(__name__)


@dataclass
class Exported:
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    logs: InMemoryLogRecordExporter

    def finished_spans(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def points(self, name: str) -> list[Any]:
        data = self.metrics.get_metrics_data()
        return [point for resource in (data.resource_metrics if data else []) for scope in resource.scope_metrics
                for metric in scope.metrics if metric.name == name for point in metric.data.data_points]

    def log_job_ids(self, message_part: str) -> list[object]:
        return [record.log_record.attributes.get("job_id") if record.log_record.attributes else None
                for record in self.logs.get_finished_logs()
                if message_part in str(record.log_record.body)]


@pytest.fixture
def exported(caplog: pytest.LogCaptureFixture) -> Iterator[Exported]:
    caplog.set_level(logging.INFO)
    spans, reader = InMemorySpanExporter(), InMemoryMetricReader()
    logs = InMemoryLogRecordExporter()  # type: ignore[no-untyped-call]
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    logger_provider = LoggerProvider()
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(logs))
    handler = LoggingHandler(logger_provider=logger_provider)
    handler.addFilter(telemetry.JobIdFilter())
    logging.getLogger().addHandler(handler)
    telemetry.use_providers(tracer_provider, MeterProvider(metric_readers=[reader]))
    try:
        yield Exported(spans, reader, logs)
    finally:
        logging.getLogger().removeHandler(handler)
        telemetry.use_providers(trace.get_tracer_provider(), metrics.get_meter_provider())


class LoggingSender(RecordingSender):
    """Logs each send: a line from inside the run's parallel sends."""

    async def send(self, message: Reminder) -> None:
        log.info("sending to %s", message.recipient)
        await super().send(message)


PLATFORM = all_platforms(load_settings())[0]
JOB_TYPE = PLATFORM.job_type(JobKind.NOTIFICATION)


def test_a_notification_run_exports_its_span_metrics_and_job_id_on_every_log_line(
    conn: Connection, settings: Settings, exported: Exported
) -> None:
    # Given two reminders that will be sent and one the provider refuses for throttling, for longer
    # than the run may wait
    for email in ("a@example.com", "b@example.com", "throttled@example.com"):
        add_request(conn, PLATFORM, email, 5)
    sender = LoggingSender(raise_for={"throttled@example.com": SendThrottled("429 Too Many Requests", 10**6)})

    # When the run happens, then a line is logged after it
    outcome = asyncio.run(run_locked(settings, JOB_TYPE, "server-1", notification_work(settings, PLATFORM, sender),  # type: ignore[arg-type]
                                     requested_by="ann@example.com"))
    log.info("after the run")

    # Then its span names the job and what it did
    assert isinstance(outcome, JobDone)
    [span] = exported.finished_spans()
    assert span.attributes == {
        "job.type": JOB_TYPE, "job.id": outcome.job_id, "job.requested_by": "ann@example.com", "job.processed": 2,
        "job.failed": 1, "job.not_started": 0, "job.lock_lost": False, "job.outcome": "completed"}
    # and the run's metrics are recorded, by job type and outcome
    by_run = {"job.type": JOB_TYPE, "job.outcome": "completed"}
    assert [(p.attributes, p.value) for p in exported.points("job.runs")] == [(by_run, 1)]
    assert [(p.attributes, p.count) for p in exported.points("job.run.duration")] == [(by_run, 1)]
    assert [p.value for p in exported.points("job.processed")] == [2]
    assert [p.value for p in exported.points("job.failed")] == [1]
    sends = {p.attributes["email.outcome"]: p.count for p in exported.points("email.send.duration")}
    assert sends == {"sent": 2, "throttled": 1}
    assert [p.value for p in exported.points("email.throttled")] == [1]
    # and every log line of the run carries its job id, from the lock's code and from the parallel sends
    assert exported.log_job_ids("sending to") == [outcome.job_id] * 3
    assert exported.log_job_ids("finished") == [outcome.job_id]
    assert exported.log_job_ids("after the run") == [None]


def test_a_run_refused_by_a_held_lock_counts_as_busy_and_opens_no_span(
    conn: Connection, settings: Settings, exported: Exported
) -> None:
    # Given another run holds the lock
    assert joblock.try_acquire_lock(conn, joblock.new_job_id(), JOB_TYPE, "other", timeout_seconds=600)

    # When a run is asked for
    outcome = asyncio.run(run_notification_job(settings, PLATFORM, RecordingSender(), started_by="tester"))  # type: ignore[arg-type]

    # Then it is counted as busy (the API's 409), and no run is recorded
    assert isinstance(outcome, JobBusy)
    assert [(p.attributes, p.value) for p in exported.points("job.busy")] == [({"job.type": JOB_TYPE}, 1)]
    assert exported.finished_spans() == [] and exported.points("job.runs") == []


def test_a_crashed_run_is_an_error_span_and_counts_as_crashed(settings: Settings, exported: Exported) -> None:
    # Given work that raises
    async def work(context: JobContext) -> WorkResult[None]:
        raise RuntimeError("boom")

    # When it runs under the lock
    with pytest.raises(JobCrashed):
        asyncio.run(run_locked(settings, JOB_TYPE, "tester", work))

    # Then its span is an error and the run counts as crashed
    [span] = exported.finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert [p.attributes for p in exported.points("job.runs")] == [{"job.type": JOB_TYPE, "job.outcome": "crashed"}]


def test_a_run_that_lost_its_lock_says_so_with_what_it_left(exported: Exported) -> None:
    # When a run reports that it lost its lock with work not started
    with telemetry.run_span(JOB_TYPE, "job-1", "tester"):
        telemetry.record_run_outcome(processed=1, failed=0, not_started=4, lock_lost=True)

    # Then the span and the metrics say so
    [span] = exported.finished_spans()
    assert span.attributes is not None
    assert (span.attributes["job.lock_lost"], span.attributes["job.not_started"]) == (True, 4)
    assert [p.attributes["job.outcome"] for p in exported.points("job.runs")] == ["lock_lost"]
    assert [p.value for p in exported.points("job.not_started")] == [4]


def test_a_send_that_times_out_is_recorded_as_a_timeout(exported: Exported) -> None:
    telemetry.record_send(2.5, TimeoutError())
    [point] = exported.points("email.send.duration")
    assert (point.attributes, point.sum) == ({"email.outcome": "timeout"}, 2.5)


def test_without_a_connection_string_configure_sets_nothing_up() -> None:
    # Given no APPLICATIONINSIGHTS_CONNECTION_STRING
    handlers = list(logging.getLogger().handlers)

    # When telemetry is configured
    configured = telemetry.configure_telemetry({})

    # Then nothing is: no exporting providers, no log handler
    assert configured is False
    assert not isinstance(trace.get_tracer_provider(), TracerProvider)
    assert not isinstance(metrics.get_meter_provider(), MeterProvider)
    assert logging.getLogger().handlers == handlers


def test_with_a_connection_string_configure_hands_over_and_tags_the_exported_log_lines(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a connection string, and Azure Monitor's setup replaced by its logging part alone
    # (the real one would start exporting to Azure)
    import azure.monitor.opentelemetry

    otel_handler = LoggingHandler(logger_provider=LoggerProvider())
    calls: list[dict[str, object]] = []

    def fake_configure_azure_monitor(**options: object) -> None:
        calls.append(options)
        logging.getLogger().addHandler(otel_handler)

    monkeypatch.setattr(azure.monitor.opentelemetry, "configure_azure_monitor", fake_configure_azure_monitor)
    try:
        # When telemetry is configured
        configured = telemetry.configure_telemetry({telemetry.CONNECTION_STRING: "InstrumentationKey=x"})
    finally:
        logging.getLogger().removeHandler(otel_handler)

    # Then Azure Monitor takes the root logger's lines, and its handler adds the run's job id to them
    assert configured is True and calls == [{"logger_name": ""}]
    assert any(isinstance(f, telemetry.JobIdFilter) for f in otel_handler.filters)


def test_a_queued_run_taken_over_by_the_executor_is_a_run_span_too(settings: Settings, exported: Exported) -> None:
    # Given a run started by the API (the lock taken) and executed by another invocation
    job_id = asyncio.run(start_locked(settings, JOB_TYPE, "api-server", requested_by="ann@example.com"))
    assert isinstance(job_id, str)

    async def work(context: JobContext) -> WorkResult[None]:
        return WorkResult(None, processed=3, failed=0)

    # When the executor takes it over and runs it
    done = asyncio.run(run_taken_over(settings, job_id, JOB_TYPE, "executor", work))

    # Then its span names the run and what it did
    assert done is not None
    [span] = exported.finished_spans()
    assert span.attributes is not None
    assert (span.attributes["job.id"], span.attributes["job.processed"]) == (job_id, 3)
    assert span.attributes["job.requested_by"] == "ann@example.com"  # from the run's row
    assert [p.attributes for p in exported.points("job.runs")] == [{"job.type": JOB_TYPE, "job.outcome": "completed"}]
