"""A run queue for tests that call the API's functions in-process (no Azurite, no host): each
message is executed at once, as the `run_job` function would on its first delivery."""

from __future__ import annotations

import logging

from shared.jobs.locked_run import JobCrashed
from shared.jobs.queue import RunMessage
from shared.jobs.runs import execute_run
from shared.settings import get_settings

log = logging.getLogger(__name__)


class InProcessRunQueue:
    def __init__(self) -> None:
        self.sent: list[RunMessage] = []

    async def send(self, message: RunMessage) -> None:
        self.sent.append(message)
        try:
            await execute_run(get_settings(), message, dequeue_count=1)
        except JobCrashed:  # as run_job: the run is marked Failed, and the start's caller reads that
            log.info("in-process run %s crashed", message.job_id)
