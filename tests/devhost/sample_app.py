"""A small FunctionApp for the devhost tests: the host serves whatever an app registers.

Its host.json (beside this file) sets routePrefix "sample", so routes live under /sample/.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from datetime import UTC, datetime

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
blueprint = func.Blueprint()  # type: ignore[no-untyped-call]


@app.route(route="hello", methods=["GET"])
def hello(req: func.HttpRequest) -> func.HttpResponse:
    name = req.params.get("name", "world")
    return func.HttpResponse(f"hello {name}")


@app.function_name("AsyncHello")
@app.route(route="async-hello", methods=["GET"])
async def async_hello(req: func.HttpRequest) -> func.HttpResponse:
    await asyncio.sleep(0)
    return func.HttpResponse(json.dumps({"async": True}), mimetype="application/json")


@app.route(route="echo", methods=["POST", "PUT"])
def echo(req: func.HttpRequest) -> func.HttpResponse:
    content_type = req.headers.get("content-type", "application/octet-stream")
    return func.HttpResponse(
        req.get_body(),
        status_code=201,
        headers={"X-Echo-Length": str(len(req.get_body())), "X-Request-Method": req.method},
        mimetype=content_type.split(";")[0],
        charset="utf-8",
    )


@app.route(route="inspect/{kind:alpha}/{id:int?}", methods=["GET", "DELETE"])
def inspect_request(req: func.HttpRequest) -> func.HttpResponse:
    body = {
        "method": req.method,
        "url": req.url,
        "params": dict(req.params),
        "routeParams": dict(req.route_params),
        "header": req.headers.get("x-test"),
    }
    return func.HttpResponse(json.dumps(body), mimetype="application/json")


@app.route(route="items/{id}", methods=["GET"])
def item_by_id(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(
        json.dumps({"route": "items/{id}", "id": req.route_params["id"]}), mimetype="application/json"
    )


@app.route(route="items/special", methods=["GET"])
def item_special(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(json.dumps({"route": "items/special"}), mimetype="application/json")


@app.route(route="slow", methods=["GET"])
def slow(req: func.HttpRequest) -> func.HttpResponse:
    # Sync and blocking on purpose: the host must keep answering others meanwhile.
    time.sleep(float(req.params.get("seconds", "2")))
    return func.HttpResponse("slow done", headers={"X-Finished-At": repr(time.time())})


@app.route(route="fast", methods=["GET"])
async def fast(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("fast", headers={"X-Finished-At": repr(time.time())})


@app.route(route="boom", methods=["GET"])
def boom(req: func.HttpRequest) -> func.HttpResponse:
    raise RuntimeError("secret-connection-string=do-not-leak")


@app.route(route="cookies", methods=["GET"])
def cookies(req: func.HttpRequest) -> func.HttpResponse:
    response = func.HttpResponse(status_code=204)
    response.headers.add_header("Set-Cookie", "a=1")
    response.headers.add_header("Set-Cookie", "b=2")
    return response


@app.route(route="whoami", methods=["GET"])
def whoami(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
    body = {"functionName": context.function_name, "invocationId": context.invocation_id}
    return func.HttpResponse(json.dumps(body), mimetype="application/json")


@blueprint.route(route="from-blueprint", methods=["GET"])
def from_blueprint(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("blueprint")


app.register_functions(blueprint)


@app.timer_trigger(schedule="%SAMPLE_TICK_SCHEDULE%", arg_name="timer", run_on_startup=False)
def tick(timer: func.TimerRequest) -> None:
    """One JSON line per run (start and end times) to the file named by SAMPLE_TICK_FILE.

    SAMPLE_TICK_SLEEP makes a run outlast the schedule; SAMPLE_TICK_FAIL=1 makes every run raise.
    """
    target = os.environ.get("SAMPLE_TICK_FILE")
    started = time.time()
    time.sleep(float(os.environ.get("SAMPLE_TICK_SLEEP", "0")))
    if target:
        line = {
            "start": started,
            "end": time.time(),
            "at": datetime.now(UTC).isoformat(),
            "pastDue": timer.past_due,
            "status": getattr(timer, "schedule_status", None),
        }
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
    if os.environ.get("SAMPLE_TICK_FAIL") == "1":
        raise RuntimeError("tick failed on purpose")


def _record_queue_run(function: str, event: str, msg: func.QueueMessage) -> None:
    """One JSON line per start and end of a queue run, to the file named by SAMPLE_QUEUE_FILE."""
    target = os.environ.get("SAMPLE_QUEUE_FILE")
    if not target:
        return
    line = {
        "function": function,
        "event": event,
        "id": msg.id,
        "body": msg.get_body().decode("utf-8"),
        "dequeueCount": msg.dequeue_count,
        "insertionTime": msg.insertion_time.isoformat() if msg.insertion_time else None,
        "expirationTime": msg.expiration_time.isoformat() if msg.expiration_time else None,
        "popReceipt": msg.pop_receipt,
        "pid": os.getpid(),
        "at": time.time(),
    }
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")


@app.queue_trigger(arg_name="msg", queue_name="%SAMPLE_WORK_QUEUE%", connection="AzureWebJobsStorage")
async def work(msg: func.QueueMessage) -> None:
    """Async. A JSON body's "sleep" (seconds) makes a run slow; "sleepOnFirstTry" only the first try."""
    _record_queue_run("work", "start", msg)
    body = json.loads(msg.get_body())
    seconds = body.get("sleep", 0) + (body.get("sleepOnFirstTry", 0) if msg.dequeue_count == 1 else 0)
    await asyncio.sleep(seconds)
    _record_queue_run("work", "end", msg)


@app.queue_trigger(arg_name="msg", queue_name="%SAMPLE_FAILING_QUEUE%", connection="AzureWebJobsStorage")
def always_fails(msg: func.QueueMessage) -> None:
    """Sync, and every run raises."""
    _record_queue_run("always_fails", "start", msg)
    raise RuntimeError("always fails on purpose")
