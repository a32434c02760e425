"""The queue-triggered functions that execute started runs (DESIGN section 5, R2).

`run_job` executes the run a message names; `run_job_poison` marks Failed the run of a message the
host moved to `<queue>-poison`. A poison trigger rather than a check of the last dequeue count:
a message also lands there unrun when the hosts that took it kept dying (the count passed
maxDequeueCount between tries), which no try of `run_job` would see.
"""

from __future__ import annotations

import logging

import azure.functions as func

from shared.jobs.locked_run import JobCrashed
from shared.jobs.queue import STORAGE_SETTING, RunMessage
from shared.jobs.runs import execute_run, fail_poisoned
from shared.settings import get_settings

log = logging.getLogger(__name__)

QUEUE = "%JOB_QUEUE_NAME%"


async def run_job(msg: func.QueueMessage) -> None:
    """Raises (so the host tries again, then poisons the message) only when the run could not run:
    a run that ran and crashed was marked Failed, and trying it again would find it over."""
    message = RunMessage.decode(msg.get_body())
    try:
        await execute_run(get_settings(), message, dequeue_count=msg.dequeue_count or 1)
    except JobCrashed as crash:
        log.error("job %s crashed (error id %s); its run is marked Failed", crash.job_id, crash.error_id)


async def run_job_poison(msg: func.QueueMessage) -> None:
    try:
        message = RunMessage.decode(msg.get_body())
    except ValueError:  # nothing names a run: nothing to mark
        log.error("poisoned run message %s is not a run message; dropped", msg.id)
        return
    marked = await fail_poisoned(get_settings(), message)
    log.error("run message for job %s was poisoned; the run %s", message.job_id,
              "is marked Failed" if marked else "had already ended")


def run_functions_blueprint() -> func.Blueprint:
    blueprint = func.Blueprint()  # type: ignore[no-untyped-call]
    for name, handler, queue in (("run_job", run_job, QUEUE), ("run_job_poison", run_job_poison, f"{QUEUE}-poison")):
        trigger = blueprint.queue_trigger(arg_name="msg", queue_name=queue, connection=STORAGE_SETTING)
        blueprint.function_name(name)(trigger(handler))
    return blueprint
