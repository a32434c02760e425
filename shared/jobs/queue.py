"""The run queue (DESIGN section 5, R2): a started run is put on the Azure Storage queue
JOB_QUEUE_NAME, where the queue-triggered `run_job` function picks it up.

The account is the Functions host's own, `AzureWebJobsStorage`: a connection string
(`UseDevelopmentStorage=true` is the local Azurite), or identity-based, with
`AzureWebJobsStorage__queueServiceUri` (or `__accountName`) and the managed identity
(`__clientId` picks a user-assigned one). It is read from the environment when the queue is first
used, not with the app settings at import: the local host points the setting at the Azurite it
found only after importing the app.

Messages are base64 JSON, the Functions queue trigger's default `messageEncoding`. The queue is
created on first use (an empty Azurite, a new storage account, has none).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import QueueClient

from shared.platforms import JobKind

STORAGE_SETTING = "AzureWebJobsStorage"
# A start must not hang on storage: the POST then answers 503 and the run is marked Failed.
_CLIENT_OPTIONS: dict[str, Any] = {"connection_timeout": 5, "read_timeout": 10, "retry_total": 2}


class QueueNotConfigured(RuntimeError):
    """Neither AzureWebJobsStorage nor AzureWebJobsStorage__queueServiceUri is set."""


@dataclass(frozen=True)
class RunMessage:
    """What the executor needs to run a started run: which run, what, and the test options."""

    job_id: str
    platform: str
    kind: JobKind
    simulate_failures: bool = False
    fail_emails: tuple[str, ...] = field(default=())

    def encode(self) -> str:
        body = {"jobId": self.job_id, "platform": self.platform, "kind": self.kind.value,
                "simulateFailures": self.simulate_failures, "failEmail": list(self.fail_emails)}
        return base64.b64encode(json.dumps(body).encode()).decode()

    @classmethod
    def decode(cls, body: bytes) -> RunMessage:
        """From the trigger's body (the Functions host has already decoded base64); ValueError if it is none."""
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("jobId"), str):
            raise ValueError("not a run message: no jobId")
        fail_emails = data.get("failEmail", [])
        if not isinstance(fail_emails, list) or not all(isinstance(e, str) for e in fail_emails):
            raise ValueError("not a run message: failEmail is not a list of strings")
        return cls(data["jobId"], str(data.get("platform")), JobKind(str(data.get("kind"))),
                   bool(data.get("simulateFailures")), tuple(fail_emails))


class RunQueue(Protocol):
    async def send(self, message: RunMessage) -> None:
        """Put the message on the queue or raise."""


class StorageRunQueue:
    def __init__(self, queue_name: str) -> None:
        self.queue_name = queue_name

    async def send(self, message: RunMessage) -> None:
        await asyncio.to_thread(self._send, message.encode())

    def _send(self, text: str) -> None:
        client = _queue_client(self.queue_name)
        client.send_message(text)


@cache
def _queue_client(queue_name: str) -> QueueClient:
    client = _client_for(queue_name, os.environ)
    with contextlib.suppress(ResourceExistsError):
        client.create_queue()
    return client


def _client_for(queue_name: str, environ: os._Environ[str] | dict[str, str]) -> QueueClient:
    connection = environ.get(STORAGE_SETTING, "").strip()
    if connection:
        return QueueClient.from_connection_string(connection, queue_name, **_CLIENT_OPTIONS)
    service_uri = environ.get(f"{STORAGE_SETTING}__queueServiceUri", "").strip()
    account = environ.get(f"{STORAGE_SETTING}__accountName", "").strip()
    if not service_uri and account:
        service_uri = f"https://{account}.queue.core.windows.net"
    if not service_uri:
        raise QueueNotConfigured(f"set {STORAGE_SETTING} (a connection string, UseDevelopmentStorage=true "
                                 f"locally) or {STORAGE_SETTING}__queueServiceUri (identity-based)")
    from azure.identity import DefaultAzureCredential  # only identity-based connections need it

    client_id = environ.get(f"{STORAGE_SETTING}__clientId", "").strip() or None
    credential = DefaultAzureCredential(managed_identity_client_id=client_id)
    return QueueClient(service_uri, queue_name, credential=credential, **_CLIENT_OPTIONS)


def open_run_queue(queue_name: str) -> RunQueue:
    """The queue runs are started on (tests that run jobs in-process replace this)."""
    return StorageRunQueue(queue_name)
