"""Over real HTTP against `python -m devhost` serving the sample app (routePrefix "sample")."""

from __future__ import annotations

import json
import re
import threading
import time

import httpx

from tests.devhost.harness import DevhostProcess, wait_until


def test_banner_lists_every_function_with_its_url_like_func_start(sample_host: DevhostProcess) -> None:
    banner = sample_host.stdout
    assert f"hello: [GET] {sample_host.base_url}/sample/hello" in banner
    assert f"echo: [POST,PUT] {sample_host.base_url}/sample/echo" in banner
    assert f"from_blueprint: [GET] {sample_host.base_url}/sample/from-blueprint" in banner
    assert "tick: timerTrigger '*/1 * * * * *' (UTC) from '%SAMPLE_TICK_SCHEDULE%'" in banner
    assert f"Host listening on {sample_host.base_url}" in banner


def test_functions_are_served_under_the_route_prefix_from_host_json(
    sample_host: DevhostProcess, client: httpx.Client
) -> None:
    # given the sample app's host.json sets routePrefix "sample"
    # when a function is called under that prefix, and under the default "api"
    served = client.get(sample_host.url("/sample/hello"))
    default_prefix = client.get(sample_host.url("/api/hello"))
    # then only the configured prefix routes to it
    assert served.status_code == 200
    assert served.text == "hello world"
    assert default_prefix.status_code == 404


def test_sync_async_and_blueprint_functions_all_answer(sample_host: DevhostProcess, client: httpx.Client) -> None:
    assert client.get(sample_host.url("/sample/async-hello")).json() == {"async": True}
    assert client.get(sample_host.url("/sample/from-blueprint")).text == "blueprint"


def test_response_content_type_is_mimetype_plus_charset_for_text(
    sample_host: DevhostProcess, client: httpx.Client
) -> None:
    text = client.get(sample_host.url("/sample/hello"))
    as_json = client.get(sample_host.url("/sample/async-hello"))
    # as the Python worker's converter: charset only on text/* types
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    assert as_json.headers["content-type"] == "application/json"


def test_wrong_method_on_a_known_route_is_405_with_allow(sample_host: DevhostProcess, client: httpx.Client) -> None:
    response = client.delete(sample_host.url("/sample/echo"))
    assert response.status_code == 405
    assert response.headers["allow"] == "POST, PUT"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 405


def test_unknown_paths_are_404_problem_json_inside_and_outside_the_prefix(
    sample_host: DevhostProcess, client: httpx.Client
) -> None:
    for path in ("/sample/no-such-function", "/no-such-page", "/sample"):
        response = client.get(sample_host.url(path))
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert set(body) >= {"type", "title", "status", "detail"}
        assert body["status"] == 404


def test_route_parameters_reach_the_handler_with_constraints_and_optionals(
    sample_host: DevhostProcess, client: httpx.Client
) -> None:
    # given the route "inspect/{kind:alpha}/{id:int?}"
    full = client.get(sample_host.url("/sample/inspect/widgets/42"))
    without_optional = client.get(sample_host.url("/sample/inspect/widgets"))
    breaks_constraint = client.get(sample_host.url("/sample/inspect/widgets/forty-two"))
    assert full.json()["routeParams"] == {"kind": "widgets", "id": "42"}
    assert without_optional.json()["routeParams"] == {"kind": "widgets"}
    assert breaks_constraint.status_code == 404


def test_a_literal_route_wins_over_a_parameter_in_the_same_place(
    sample_host: DevhostProcess, client: httpx.Client
) -> None:
    assert client.get(sample_host.url("/sample/items/special")).json() == {"route": "items/special"}
    assert client.get(sample_host.url("/sample/items/7")).json() == {"route": "items/{id}", "id": "7"}


def test_query_parameters_and_repeated_keys(sample_host: DevhostProcess, client: httpx.Client) -> None:
    # given a query string with a repeated key and an empty value
    response = client.get(
        sample_host.url("/sample/inspect/q?failEmail=a%40x.com&failEmail=b%40x.com&empty=&simulateFailures=true"),
        headers={"X-Test": "header-value"},
    )
    body = response.json()
    # then params joins repeated keys with commas (as the Functions host does) and the URL keeps them all
    assert body["params"] == {"failEmail": "a@x.com,b@x.com", "empty": "", "simulateFailures": "true"}
    assert body["url"].endswith(
        "/sample/inspect/q?failEmail=a%40x.com&failEmail=b%40x.com&empty=&simulateFailures=true"
    )
    assert body["url"].startswith(sample_host.base_url)
    assert body["header"] == "header-value"
    assert body["method"] == "GET"


def test_request_body_and_content_type_round_trip(sample_host: DevhostProcess, client: httpx.Client) -> None:
    # given a JSON body, and a binary body holding every byte value
    document = {"requestedByEmail": "someone@example.com", "expiresInDays": 5, "note": "naïve ✓"}
    as_json = client.post(sample_host.url("/sample/echo"), json=document)
    payload = bytes(range(256))
    as_bytes = client.put(
        sample_host.url("/sample/echo"), content=payload, headers={"Content-Type": "application/octet-stream"}
    )
    # then the handler saw exactly those bytes, and its status, headers and content type come back
    assert as_json.status_code == 201
    assert as_json.json() == document
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.headers["x-request-method"] == "POST"
    assert as_bytes.content == payload
    assert as_bytes.headers["x-echo-length"] == "256"
    assert as_bytes.headers["content-type"] == "application/octet-stream"


def test_repeated_response_headers_and_empty_204_are_kept(sample_host: DevhostProcess, client: httpx.Client) -> None:
    response = client.get(sample_host.url("/sample/cookies"))
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]


def test_a_slow_sync_request_does_not_block_a_concurrent_fast_one(sample_host: DevhostProcess) -> None:
    # given a sync handler that blocks for 3 seconds is in flight
    results: dict[str, httpx.Response] = {}

    def call_slow() -> None:
        with httpx.Client(timeout=30.0) as slow_client:
            results["slow"] = slow_client.get(sample_host.url("/sample/slow?seconds=3"))

    slow_thread = threading.Thread(target=call_slow)
    slow_thread.start()
    try:
        time.sleep(0.5)  # let the slow request reach its handler
        # when a fast request is made meanwhile
        with httpx.Client(timeout=30.0) as fast_client:
            fast = fast_client.get(sample_host.url("/sample/fast"))
            hello = fast_client.get(sample_host.url("/sample/hello"))
    finally:
        slow_thread.join(timeout=30.0)
    # then both fast ones answered before the slow one finished
    assert fast.status_code == 200 and hello.status_code == 200
    slow = results["slow"]
    assert slow.text == "slow done"
    assert float(fast.headers["x-finished-at"]) < float(slow.headers["x-finished-at"])


def test_a_failing_handler_gives_500_without_the_exception_text(
    sample_host: DevhostProcess, client: httpx.Client
) -> None:
    # given a handler that raises with a secret in its message
    response = client.get(sample_host.url("/sample/boom"))
    # then the client gets a generic problem with an id, never the text
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text and "RuntimeError" not in response.text
    invocation_id = response.json()["invocationId"]
    # and the host log has the traceback under that id
    assert wait_until(lambda: f"Function 'boom' failed (Id={invocation_id})" in sample_host.stderr, timeout=5)
    assert "Traceback" in sample_host.stderr and "secret-connection-string" in sample_host.stderr


def test_each_invocation_is_logged_like_func_start(sample_host: DevhostProcess, client: httpx.Client) -> None:
    client.get(sample_host.url("/sample/hello?name=log"))
    pattern = re.compile(r"Executed 'Functions\.hello' \(Succeeded, Id=[0-9a-f-]{36}, Duration=\d+ms\)")
    assert wait_until(lambda: pattern.search(sample_host.stderr) is not None, timeout=5)


def test_root_says_the_front_end_is_not_built_and_where_the_api_is(
    sample_host: DevhostProcess, client: httpx.Client
) -> None:
    # given DEVHOST_STATIC_DIR names a folder that does not exist
    response = client.get(sample_host.url("/"))
    assert response.status_code == 200
    assert "not built" in response.text
    assert f"{sample_host.base_url}/sample" in response.text


def test_problem_bodies_are_json(sample_host: DevhostProcess, client: httpx.Client) -> None:
    body = client.post(sample_host.url("/sample/hello")).text
    assert json.loads(body)["title"] == "Method Not Allowed"


def test_functions_asking_for_context_get_one(sample_host: DevhostProcess, client: httpx.Client) -> None:
    body = client.get(sample_host.url("/sample/whoami")).json()
    assert body["functionName"] == "whoami"
    assert re.fullmatch(r"[0-9a-f-]{36}", body["invocationId"])
