"""Queue triggers: poll Azure Storage queues and run the app's queue functions, as the Functions host does.

The Storage Queues extension's documented behaviour, with host.json `extensions.queues`:
* Polling: after a poll that found messages the next comes 100 ms later; an empty poll doubles the
  wait (randomised) up to `maxPollingInterval` (default one minute).
* Concurrency: `batchSize` messages are fetched at once; a new batch is fetched once no more than
  `newBatchThreshold` are running, so at most batchSize + newBatchThreshold run in one host.
* A fetched message is invisible to other hosts for the *lease* (10 minutes in Azure, renewed at
  half-time while the function runs): a host that dies mid-run gives its messages back when the
  lease runs out, with their dequeue count one higher.
* Success deletes the message. Failure makes it visible again after `visibilityTimeout` (default 0);
  the try with dequeue count `maxDequeueCount` (default 5) that fails moves it to `<queue>-poison`
  instead, and a message fetched with a higher count (its hosts kept dying) goes there unrun.
* Messages are base64 (`messageEncoding`, default "base64"); one that does not decode goes to the
  poison queue at once. A queue that does not exist yet is polled as an empty one.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import math
import random
import re
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.functions.queue import QueueMessage as FunctionQueueMessage
from azure.storage.queue import QueueClient, QueueMessage, QueueServiceClient

from devhost.functions import QueueFunction
from devhost.invoke import call_user_function, new_invocation_id, run_in_thread, stop_tasks
from devhost.settings import MIN_POLLING_INTERVAL, QueuesOptions, SettingsError, resolve_setting_references
from devhost.storage import StorageAccount, resolve_storage

__all__ = ["DEFAULT_LEASE_SECONDS", "PollingBackoff", "PreparedQueue", "QueueListener", "prepare_queues"]

log = logging.getLogger("devhost.queues")

DEFAULT_LEASE_SECONDS = 600.0  # the Functions host's invisibility for a message being processed
POISON_SUFFIX = "-poison"
# Azure's rule for queue names: 3-63 lowercase letters, digits and single hyphens, not at either end.
_QUEUE_NAME = re.compile(r"^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class PreparedQueue:
    function: QueueFunction
    queue_name: str  # resolved
    storage: StorageAccount


def prepare_queues(
    functions: Sequence[QueueFunction],
    *,
    environ: MutableMapping[str, str],
    defaults: Mapping[str, str],
    development_port: int,
) -> list[PreparedQueue]:
    """Resolve each queue's name and storage account; raises SettingsError naming the culprit."""
    prepared: list[PreparedQueue] = []
    for function in functions:
        what = f"queue trigger '{function.name}'"
        name = resolve_setting_references(
            function.queue_name, environ=environ, defaults=defaults, what=f"{what} queue '{function.queue_name}'"
        )
        if not _QUEUE_NAME.match(name):
            raise SettingsError(
                f"{what}: '{name}' is not a valid queue name (3-63 lowercase letters, digits and hyphens)"
            )
        storage = resolve_storage(
            function.connection, environ=environ, defaults=defaults, development_port=development_port
        )
        prepared.append(PreparedQueue(function=function, queue_name=name, storage=storage))
    return prepared


class PollingBackoff:
    """How long to wait before the next poll: the queue trigger's randomised exponential backoff."""

    def __init__(self, maximum: float, jitter: Callable[[], float] = random.random) -> None:
        self._maximum = max(maximum, MIN_POLLING_INTERVAL)
        self._jitter = jitter
        self._current = MIN_POLLING_INTERVAL

    def after_poll(self, found_messages: bool) -> float:
        if found_messages:
            self._current = MIN_POLLING_INTERVAL
        else:
            grown = self._current * 2 * (0.8 + 0.4 * self._jitter())
            self._current = min(self._maximum, max(MIN_POLLING_INTERVAL, grown))
        return self._current


class QueueListener:
    """One polling task per queue function; each message runs as its own task."""

    def __init__(
        self,
        queues: Sequence[PreparedQueue],
        options: QueuesOptions,
        *,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        on_unreachable: Callable[[StorageAccount], None] | None = None,
    ) -> None:
        self._queues = list(queues)
        self._options = options
        # The service takes whole seconds, at least one.
        self._lease = max(1, math.ceil(lease_seconds))
        self._on_unreachable = on_unreachable
        self._pollers: list[asyncio.Task[None]] = []
        self._running: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        for queue in self._queues:
            self._pollers.append(asyncio.create_task(self._poll(queue), name=f"queue-{queue.function.name}"))

    async def stop(self, grace_seconds: float) -> None:
        """Stop polling, give running functions `grace_seconds`, then abandon them (their lease runs out)."""
        await stop_tasks(self._pollers, list(self._running), grace_seconds=grace_seconds, what="queue function run")

    async def _poll(self, queue: PreparedQueue) -> None:
        service = queue.storage.service_client()
        client = service.get_queue_client(queue.queue_name)
        backoff = PollingBackoff(self._options.max_polling_interval)
        mine: set[asyncio.Task[None]] = set()
        slot_freed = asyncio.Event()
        unreachable = False
        missing = False
        while True:
            if len(mine) > self._options.new_batch_threshold:
                slot_freed.clear()
                await slot_freed.wait()
                continue
            try:
                messages = await run_in_thread(self._receive, client)
            except ResourceNotFoundError:
                if not missing:
                    log.info("Queue '%s' does not exist yet; polling it as an empty queue", queue.queue_name)
                missing = True
                messages = []
            except AzureError as exc:
                if not unreachable:
                    log.warning("Queue '%s' (%s): cannot poll: %s", queue.queue_name, queue.storage.describe(), exc)
                unreachable = True
                if self._on_unreachable is not None:
                    await run_in_thread(self._on_unreachable, queue.storage)
                messages = []
            except Exception:
                # Whatever it was, this queue must not stop being polled.
                log.exception("Queue '%s': polling failed", queue.queue_name)
                messages = []
            else:
                if unreachable:
                    log.info("Queue '%s' is reachable again", queue.queue_name)
                unreachable = missing = False
            for message in messages:
                task = asyncio.create_task(
                    self._process(queue, service, client, message), name=f"{queue.function.name}:{message.id}"
                )
                mine.add(task)
                self._running.add(task)

                def finished(done: asyncio.Task[None]) -> None:
                    mine.discard(done)
                    self._running.discard(done)
                    slot_freed.set()

                task.add_done_callback(finished)
            await asyncio.sleep(backoff.after_poll(bool(messages)))

    def _receive(self, client: QueueClient) -> list[QueueMessage]:
        batch = self._options.batch_size
        received = client.receive_messages(max_messages=batch, messages_per_page=batch, visibility_timeout=self._lease)
        return list(received)

    async def _process(
        self, queue: PreparedQueue, service: QueueServiceClient, client: QueueClient, message: QueueMessage
    ) -> None:
        function = queue.function
        limit = self._options.max_dequeue_count
        dequeue_count = message.dequeue_count or 1  # the service always sets it on a received message
        if dequeue_count > limit:
            await self._poison(queue, service, client, message, f"its dequeue count {dequeue_count}")
            return
        try:
            body = self._decode(str(message.content))
        except ValueError:
            await self._poison(queue, service, client, message, "it is not valid base64")
            return
        trigger = FunctionQueueMessage(  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated
            id=message.id,
            body=body,
            dequeue_count=dequeue_count,
            expiration_time=message.expires_on,
            insertion_time=message.inserted_on,
            time_next_visible=message.next_visible_on,
            pop_receipt=message.pop_receipt,
        )
        invocation_id = new_invocation_id()
        lease = _Lease(client, message, self._lease)
        renewing = asyncio.create_task(lease.keep())
        succeeded = False
        try:
            await call_user_function(
                function,
                trigger,
                reason=f"New queue message detected on '{queue.queue_name}'.",
                invocation_id=invocation_id,
            )
            succeeded = True
        except Exception:
            log.exception(
                "Queue function '%s' failed (Id=%s, message %s, dequeue count %d of %d)",
                function.name,
                invocation_id,
                message.id,
                dequeue_count,
                limit,
            )
        finally:
            await lease.end(renewing)
        try:
            if succeeded:
                await run_in_thread(client.delete_message, message.id, lease.pop_receipt)
            elif dequeue_count >= limit:
                await self._poison(queue, service, client, message, f"it failed {limit} time(s)", lease.pop_receipt)
            else:
                visibility = math.ceil(self._options.visibility_timeout)
                await run_in_thread(client.update_message, message.id, lease.pop_receipt, visibility_timeout=visibility)
        except AzureError as exc:
            # Lost the message (lease ran out and another host took it, or storage is gone): it comes back.
            log.warning("Queue '%s': could not settle message %s: %s", queue.queue_name, message.id, exc)

    def _decode(self, content: str) -> bytes:
        if self._options.message_encoding == "none":
            return content.encode("utf-8")
        try:
            return base64.b64decode(content, validate=True)
        except binascii.Error as exc:
            raise ValueError(str(exc)) from exc

    async def _poison(
        self,
        queue: PreparedQueue,
        service: QueueServiceClient,
        client: QueueClient,
        message: QueueMessage,
        reason: str,
        pop_receipt: str | None = None,
    ) -> None:
        poison_name = queue.queue_name + POISON_SUFFIX
        log.warning(
            "Queue '%s': moving message %s to '%s' (%s; maxDequeueCount %d)",
            queue.queue_name,
            message.id,
            poison_name,
            reason,
            self._options.max_dequeue_count,
        )
        poison = service.get_queue_client(poison_name)

        def move() -> None:
            with contextlib.suppress(ResourceExistsError):
                poison.create_queue()
            poison.send_message(message.content)  # as it came, still encoded
            client.delete_message(message.id, pop_receipt or message.pop_receipt)

        try:
            await run_in_thread(move)
        except AzureError as exc:  # storage gone: the message comes back and is moved next time
            log.warning(
                "Queue '%s': could not move message %s to '%s': %s", queue.queue_name, message.id, poison_name, exc
            )


class _Lease:
    """Keeps a message invisible while its function runs, renewing at half the lease."""

    def __init__(self, client: QueueClient, message: QueueMessage, lease_seconds: int) -> None:
        self._client = client
        self._message_id = message.id
        self._lease = lease_seconds
        self.pop_receipt: str = str(message.pop_receipt)
        self._done = asyncio.Event()

    async def keep(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._done.wait(), timeout=self._lease / 2)
                return
            except TimeoutError:
                pass
            try:
                renewed: Any = await run_in_thread(
                    self._client.update_message, self._message_id, self.pop_receipt, visibility_timeout=self._lease
                )
            except AzureError as exc:
                log.warning("Could not extend the lease of queue message %s: %s", self._message_id, exc)
                continue
            self.pop_receipt = str(renewed.pop_receipt)

    async def end(self, renewing: asyncio.Task[None]) -> None:
        # Let a renewal in flight finish rather than cancel it: its new pop receipt is the one that counts.
        self._done.set()
        await renewing
