"""The Functions host's admin listing (`/admin/functions`), over real HTTP against the sample app."""

from __future__ import annotations

import asyncio
from typing import Any

import azure.functions as func
import httpx

from devhost.functions import FunctionConfig, HttpFunction
from devhost.http import FunctionsHttpApp, RouteTable, build_asgi_app
from tests.devhost.harness import DevhostProcess


def trigger_types_as_the_swa_cli_reads_them(listing: list[dict[str, Any]]) -> dict[str, str]:
    # @azure/static-web-apps-cli (validateFunctionTriggers): per function, the binding whose type ends in "trigger".
    return {
        item["name"]: next(b["type"] for b in item["config"]["bindings"] if b["type"].lower().endswith("trigger"))
        for item in listing
    }


def test_listing_names_every_registered_function_with_its_trigger_type(
    sample_host: DevhostProcess, client: httpx.Client
) -> None:
    # given the sample app registers HTTP, timer and queue functions (some in a blueprint)
    # when a tool asks the host what it holds
    response = client.get(sample_host.url("/admin/functions"))
    # then every function is listed, whether this host runs it or not, with the trigger from its bindings
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    types = trigger_types_as_the_swa_cli_reads_them(response.json())
    assert types["hello"] == "httpTrigger"
    assert types["AsyncHello"] == "httpTrigger"
    assert types["from_blueprint"] == "httpTrigger"
    assert types["tick"] == "timerTrigger"
    assert types["work"] == "queueTrigger"
    assert types["always_fails"] == "queueTrigger"


def test_http_functions_carry_their_invoke_url_under_the_route_prefix(
    sample_host: DevhostProcess, client: httpx.Client
) -> None:
    listing = {item["name"]: item for item in client.get(sample_host.url("/admin/functions")).json()}
    # the sample's host.json routePrefix is "sample"; the template keeps its parameters
    inspect_url = sample_host.url("/sample/inspect/{kind:alpha}/{id:int?}")
    assert listing["inspect_request"]["invoke_url_template"] == inspect_url
    assert listing["hello"]["invoke_url_template"] == sample_host.url("/sample/hello")
    assert "invoke_url_template" not in listing["tick"]
    assert listing["hello"]["href"] == sample_host.url("/admin/functions/hello")
    assert listing["hello"]["language"] == "python"
    assert listing["hello"]["isDisabled"] is False


def test_one_function_is_found_by_its_name_in_any_case(sample_host: DevhostProcess, client: httpx.Client) -> None:
    one = client.get(sample_host.url("/admin/functions/ASYNCHELLO"))
    missing = client.get(sample_host.url("/admin/functions/no_such_function"))
    assert one.status_code == 200
    assert one.json()["name"] == "AsyncHello"
    assert one.json()["config"]["bindings"][0]["route"] == "async-hello"
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_the_listing_is_read_only(sample_host: DevhostProcess, client: httpx.Client) -> None:
    # The Functions host runs a function on POST /admin/functions/{name}; this host does not emulate that.
    response = client.post(sample_host.url("/admin/functions/tick"), json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_admin_comes_before_a_catch_all_function_when_the_route_prefix_is_empty() -> None:
    # given an app whose only function takes every path, with no route prefix (host.json routePrefix "")
    def everything(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("the app's own page")

    catch_all = HttpFunction(
        name="everything", route="{*path}", methods=None, auth_level="anonymous",
        trigger_arg="req", user_function=everything, wants_context=False, directory=".",
    )
    configs = [FunctionConfig(name="everything", config={"bindings": [{"type": "httpTrigger", "route": "{*path}"}]})]
    app = build_asgi_app(FunctionsHttpApp(RouteTable([catch_all], ""), None, configs=configs))

    async def ask() -> tuple[httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            return await client.get("/admin/functions"), await client.get("/somewhere")

    listing, page = asyncio.run(ask())
    # then the host still answers its admin listing, as the Functions host keeps /admin for itself
    assert [item["name"] for item in listing.json()] == ["everything"]
    assert listing.json()[0]["invoke_url_template"] == "http://testserver/{*path}"
    assert page.text == "the app's own page"
