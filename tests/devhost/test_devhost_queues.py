"""Queue triggers run by real devhost processes over a real Azurite.

tests/devhost/host.json keeps the timings short: maxPollingInterval 0.5 s, visibilityTimeout 0,
batchSize 2, newBatchThreshold 1, maxDequeueCount 3.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueClient

from devhost.azurite import is_answering, state_dir
from devhost.storage import development_connection_string
from tests.devhost.harness import StartDevhost, devhost_env, free_port, running_azurite, wait_until

RUN_TIMEOUT = 30.0
MAX_DEQUEUE_COUNT = 3  # tests/devhost/host.json


@pytest.fixture(scope="module")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Azurite queue service on a free port; yields its connection string."""
    with running_azurite(tmp_path_factory.mktemp("azurite")) as connection_string:
        yield connection_string


class Queues:
    """This test's own queue names on the shared Azurite, and a way to put and read messages."""

    def __init__(self, connection_string: str, tmp_path: Path, name: str) -> None:
        self.connection_string = connection_string
        self.work = f"{name}-work"
        self.failing = f"{name}-fails"
        self.runs_file = tmp_path / "queue-runs.jsonl"

    def client(self, name: str) -> QueueClient:
        return QueueClient.from_connection_string(self.connection_string, name)

    def put(self, name: str, body: dict[str, Any]) -> str:
        client = self.client(name)
        with contextlib.suppress(ResourceExistsError):
            client.create_queue()
        # base64, as the Functions queue trigger expects by default (messageEncoding)
        encoded = base64.b64encode(json.dumps(body).encode()).decode()
        return str(client.send_message(encoded).id)

    def waiting(self, name: str) -> int:
        """Messages still in the queue, visible or not (peek would miss invisible ones)."""
        try:
            return self.client(name).get_queue_properties().approximate_message_count or 0
        except ResourceNotFoundError:
            return 0

    def runs(self, event: str | None = None) -> list[dict[str, Any]]:
        if not self.runs_file.exists():
            return []
        lines = [json.loads(line) for line in self.runs_file.read_text(encoding="utf-8").splitlines() if line]
        return [line for line in lines if event is None or line["event"] == event]

    def env(self, **overrides: str | None) -> dict[str, str]:
        settings: dict[str, str | None] = {
            "DEVHOST_DISABLE_QUEUES": None,
            "AzureWebJobsStorage": self.connection_string,
            "SAMPLE_WORK_QUEUE": self.work,
            "SAMPLE_FAILING_QUEUE": self.failing,
            "SAMPLE_QUEUE_FILE": str(self.runs_file),
        }
        return devhost_env(**(settings | overrides))


@pytest.fixture
def queues(azurite: str, tmp_path: Path) -> Queues:
    return Queues(azurite, tmp_path, f"q{uuid.uuid4().hex[:12]}")


def test_a_queued_message_is_executed_once_and_then_deleted(start_devhost: StartDevhost, queues: Queues) -> None:
    # given a host whose message lease is short (an undeleted message would come back in 2 s)
    host = start_devhost(env=queues.env(DEVHOST_QUEUE_LEASE_SECONDS="2"))
    # when a message is put on the work queue
    message_id = queues.put(queues.work, {"task": 1})
    # then the async function gets it as a func.QueueMessage, and the message is gone afterwards
    assert wait_until(lambda: len(queues.runs("end")) == 1, timeout=RUN_TIMEOUT), host.stderr
    assert wait_until(lambda: queues.waiting(queues.work) == 0, timeout=RUN_TIMEOUT)
    run = queues.runs("end")[0]
    assert run["id"] == message_id
    assert json.loads(run["body"]) == {"task": 1}
    assert run["dequeueCount"] == 1
    assert run["insertionTime"] and run["expirationTime"] and run["popReceipt"]
    # and it is not run again after its lease would have run out
    assert not wait_until(lambda: len(queues.runs("start")) > 1, timeout=4.0)
    assert "New queue message detected on" in host.stderr
    assert f"work: queueTrigger '{queues.work}'" in host.stdout


def test_a_message_that_always_fails_is_retried_then_moved_to_the_poison_queue(
    start_devhost: StartDevhost, queues: Queues
) -> None:
    # given a host running the sync function that always raises (maxDequeueCount 3, visibilityTimeout 0)
    host = start_devhost(env=queues.env())
    # when a message is put on its queue
    message_id = queues.put(queues.failing, {"task": "doomed"})
    poison = f"{queues.failing}-poison"
    # then it is tried maxDequeueCount times, its dequeue count growing, and lands in <queue>-poison
    assert wait_until(lambda: queues.waiting(poison) == 1, timeout=RUN_TIMEOUT), host.stderr
    tries = [run for run in queues.runs("start") if run["id"] == message_id]
    assert [run["dequeueCount"] for run in tries] == list(range(1, MAX_DEQUEUE_COUNT + 1))
    assert queues.waiting(queues.failing) == 0
    moved = queues.client(poison).receive_message()
    assert moved is not None
    assert json.loads(base64.b64decode(moved.content)) == {"task": "doomed"}
    assert "always fails on purpose" in host.stderr
    assert f"moving message {message_id} to '{poison}'" in host.stderr


def test_a_message_whose_host_is_killed_comes_back_after_its_lease_and_another_host_runs_it(
    start_devhost: StartDevhost, queues: Queues
) -> None:
    # given one host executing a message whose first try takes long
    env = queues.env(DEVHOST_QUEUE_LEASE_SECONDS="3")
    first = start_devhost(env=env)
    message_id = queues.put(queues.work, {"sleepOnFirstTry": 60})
    assert wait_until(lambda: len(queues.runs("start")) == 1, timeout=RUN_TIMEOUT), first.stderr
    second = start_devhost(env=env)
    # when that host is killed with SIGKILL mid-run
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    # then the message reappears once its lease runs out, and the other host runs it to the end
    assert wait_until(lambda: len(queues.runs("end")) == 1, timeout=RUN_TIMEOUT), second.stderr
    starts = queues.runs("start")
    assert [(run["id"], run["pid"], run["dequeueCount"]) for run in starts] == [
        (message_id, first.process.pid, 1),
        (message_id, second.process.pid, 2),
    ]
    assert wait_until(lambda: queues.waiting(queues.work) == 0, timeout=RUN_TIMEOUT)


def test_two_hosts_polling_one_queue_never_run_one_message_at_the_same_time(
    start_devhost: StartDevhost, queues: Queues
) -> None:
    # given two hosts on one queue, and runs (3 s) that outlast the message lease (2 s, renewed at 1 s)
    env = queues.env(DEVHOST_QUEUE_LEASE_SECONDS="2")
    hosts = [start_devhost(env=env), start_devhost(env=env)]
    # when six messages are queued at once
    ids = {queues.put(queues.work, {"sleep": 3, "n": n}) for n in range(6)}
    # then each ran exactly once (the lease was renewed, so no message came back mid-run)
    assert wait_until(lambda: len(queues.runs("end")) == 6, timeout=60.0), [h.stderr for h in hosts]
    assert not wait_until(lambda: len(queues.runs("start")) > 6, timeout=3.0)
    starts = queues.runs("start")
    assert sorted(run["id"] for run in starts) == sorted(ids)
    assert all(run["dequeueCount"] == 1 for run in starts)
    # and both hosts took part (batchSize 2 + newBatchThreshold 1 caps one host at 3 at a time)
    assert {run["pid"] for run in starts} == {host.process.pid for host in hosts}
    assert wait_until(lambda: queues.waiting(queues.work) == 0, timeout=RUN_TIMEOUT)


def test_development_storage_starts_a_shared_azurite_that_outlives_the_host_that_started_it(
    start_devhost: StartDevhost, tmp_path: Path
) -> None:
    # given the development storage on a port where nothing answers
    port = free_port()
    assert not is_answering(port)
    runs_file = tmp_path / "runs.jsonl"
    env = devhost_env(
        DEVHOST_DISABLE_QUEUES=None,
        DEVHOST_AZURITE_QUEUE_PORT=str(port),
        AzureWebJobsStorage="UseDevelopmentStorage=true",
        SAMPLE_QUEUE_FILE=str(runs_file),
        PYTHONPATH=None,  # as `make run` starts it: importable only from its working directory
    )
    queues = Queues(development_connection_string(port), tmp_path, "auto")
    queues.runs_file = runs_file
    # when a host starts, then a second one
    first = start_devhost(env=env)
    assert is_answering(port)
    assert "starting Azurite" in first.stderr
    second = start_devhost(env=env)
    # then the second shares the first's Azurite
    assert "starting Azurite" not in second.stderr
    assert f"Azurite at 127.0.0.1:{port}" in second.stdout
    # and when the first host exits, the Azurite stays, and the second host goes on working with it
    assert first.terminate() == 0
    queues.put("sample-work", {"after": "first exited"})
    assert wait_until(lambda: len(queues.runs("end")) == 1, timeout=RUN_TIMEOUT), second.stderr
    assert queues.runs("end")[0]["pid"] == second.process.pid
    # and when the last host exits, the Azurite is stopped
    assert second.terminate() == 0
    assert wait_until(lambda: not is_answering(port), timeout=RUN_TIMEOUT)
    shutil.rmtree(state_dir(port), ignore_errors=True)


def test_a_host_killed_with_sigkill_leaves_no_azurite_behind(start_devhost: StartDevhost) -> None:
    # given a host that started the development storage's Azurite
    port = free_port()
    env = devhost_env(DEVHOST_DISABLE_QUEUES=None, DEVHOST_AZURITE_QUEUE_PORT=str(port))
    host = start_devhost(env=env)
    assert is_answering(port)
    # when the host is killed without a chance to clean up
    host.process.send_signal(signal.SIGKILL)
    host.process.wait(timeout=10)
    # then the watchdog notices no host uses the Azurite any more and stops it
    assert wait_until(lambda: not is_answering(port), timeout=RUN_TIMEOUT)
    shutil.rmtree(state_dir(port), ignore_errors=True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SAMPLE_WORK_QUEUE": None}, "refers to app setting 'SAMPLE_WORK_QUEUE'"),
        ({"SAMPLE_WORK_QUEUE": "Not_A_Queue"}, "'Not_A_Queue' is not a valid queue name"),
    ],
)
def test_a_bad_queue_binding_stops_start_up_naming_the_function(
    start_devhost: StartDevhost, tmp_path: Path, overrides: dict[str, str | None], message: str
) -> None:
    # given a queue name or connection that cannot be resolved (from a directory without local.settings.json)
    host = start_devhost(env=devhost_env(**overrides), cwd=tmp_path, wait=False)
    # then start-up stops with a message naming it and the function
    assert host.wait_exit() == 1
    assert message in host.stderr
    assert "queue trigger 'work'" in host.stderr


def test_queues_are_off_with_devhost_disable_queues(start_devhost: StartDevhost, queues: Queues) -> None:
    # given DEVHOST_DISABLE_QUEUES=1 (what the HTTP tests use)
    host = start_devhost(env=queues.env(DEVHOST_DISABLE_QUEUES="1"))
    # when a message is queued
    queues.put(queues.work, {"task": "ignored"})
    # then nothing runs it, and the banner says why
    assert not wait_until(lambda: queues.runs() != [], timeout=2.0)
    assert queues.waiting(queues.work) == 1
    assert "queues disabled by DEVHOST_DISABLE_QUEUES" in host.stdout


def test_sigterm_lets_a_queue_run_in_flight_finish_and_delete_its_message(
    start_devhost: StartDevhost, queues: Queues
) -> None:
    # given a host running a 2 s queue function
    host = start_devhost(env=queues.env())
    queues.put(queues.work, {"sleep": 2})
    assert wait_until(lambda: len(queues.runs("start")) == 1, timeout=RUN_TIMEOUT), host.stderr
    # when SIGTERM arrives mid-run
    code = host.terminate()
    # then the run finished, its message is deleted, and the host exited 0
    assert code == 0, host.stderr
    assert len(queues.runs("end")) == 1
    assert queues.waiting(queues.work) == 0


def test_a_message_fetched_more_than_max_dequeue_count_times_goes_to_the_poison_queue_unrun(
    start_devhost: StartDevhost, queues: Queues
) -> None:
    # given a message already fetched maxDequeueCount times by consumers that never settled it
    message_id = queues.put(queues.work, {"task": "orphaned"})
    client = queues.client(queues.work)
    for _ in range(MAX_DEQUEUE_COUNT):
        assert wait_until(lambda: client.receive_message(visibility_timeout=1) is not None, timeout=RUN_TIMEOUT)
    # when a host fetches it once more
    host = start_devhost(env=queues.env())
    # then it goes to the poison queue without running
    assert wait_until(lambda: queues.waiting(f"{queues.work}-poison") == 1, timeout=RUN_TIMEOUT), host.stderr
    assert queues.runs() == []
    assert f"moving message {message_id} to '{queues.work}-poison' (its dequeue count 4" in host.stderr


def test_a_message_that_is_not_base64_goes_to_the_poison_queue_at_once(
    start_devhost: StartDevhost, queues: Queues
) -> None:
    # given a message that is not base64 (the queue trigger's default encoding)
    queues.client(queues.work).create_queue()
    queues.client(queues.work).send_message("{not base64}")
    # when a host fetches it
    host = start_devhost(env=queues.env())
    # then it goes to the poison queue on its first dequeue, unrun
    assert wait_until(lambda: queues.waiting(f"{queues.work}-poison") == 1, timeout=RUN_TIMEOUT), host.stderr
    assert queues.runs() == []
    assert "it is not valid base64" in host.stderr
    moved = queues.client(f"{queues.work}-poison").receive_message()
    assert moved is not None and moved.content == "{not base64}"
