"""The built front end at `/`, with SPA fallback, beside the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.devhost.harness import DevhostProcess, StartDevhost, devhost_env

INDEX = "<!doctype html><title>Access Requests</title><div id=root></div>"
ASSET = "assets/index-B1x2y3z4.js"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A built front end the way Vite lays it out."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX, encoding="utf-8")
    (root / ASSET).write_text("console.log('app')", encoding="utf-8")
    (root / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside the site", encoding="utf-8")
    return root


@pytest.fixture
def static_host(start_devhost: StartDevhost, site: Path) -> Iterator[DevhostProcess]:
    yield start_devhost(env=devhost_env(DEVHOST_STATIC_DIR=str(site)))


def test_root_serves_index_html_uncached(static_host: DevhostProcess) -> None:
    response = httpx.get(static_host.url("/"))
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert "no-store" in response.headers["cache-control"]


def test_hashed_assets_are_cached_for_good_and_other_files_revalidated(static_host: DevhostProcess) -> None:
    asset = httpx.get(static_host.url(ASSET))
    icon = httpx.get(static_host.url("/favicon.svg"))
    assert asset.status_code == 200
    assert asset.text == "console.log('app')"
    assert "javascript" in asset.headers["content-type"]
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert icon.status_code == 200
    assert icon.headers["cache-control"] == "no-cache"


def test_client_side_routes_fall_back_to_index_html(static_host: DevhostProcess) -> None:
    # given paths the React router owns (DESIGN section 7)
    for path in ("/databricks/requests", "/palantir/revoke", "/databricks/requests/new"):
        response = httpx.get(static_host.url(path))
        # then the SPA is served, uncached
        assert response.status_code == 200, path
        assert response.text == INDEX
        assert "no-store" in response.headers["cache-control"]


def test_api_paths_never_fall_back_to_index_html(static_host: DevhostProcess) -> None:
    missing = httpx.get(static_host.url("/sample/no-such-function"))
    served = httpx.get(static_host.url("/sample/hello"))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert served.text == "hello world"


def test_files_outside_the_site_cannot_be_reached(static_host: DevhostProcess) -> None:
    for path in ("/..%2Fsecret.txt", "/assets/..%2F..%2Fsecret.txt", "/%2E%2E/secret.txt"):
        response = httpx.get(static_host.url(path))
        assert "outside the site" not in response.text, path


def test_writes_outside_the_api_are_405(static_host: DevhostProcess) -> None:
    response = httpx.post(static_host.url("/databricks/requests"), content=b"x")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_a_missing_asset_is_404_not_index_html(static_host: DevhostProcess) -> None:
    # Given no staticwebapp.config.json: missing Vite assets are still never client-side routes
    response = httpx.get(static_host.url("/assets/index-Gone1234.js"))

    assert response.status_code == 404 and INDEX not in response.text
    assert response.headers["content-type"] == "application/problem+json"


REPO_SWA_CONFIG = Path(__file__).resolve().parents[2] / "static-web" / "staticwebapp.config.json"


@pytest.fixture
def swa_host(start_devhost: StartDevhost, site: Path) -> Iterator[DevhostProcess]:
    """The site with the project's own staticwebapp.config.json in the app folder above it."""
    (site.parent / "staticwebapp.config.json").write_bytes(REPO_SWA_CONFIG.read_bytes())
    yield start_devhost(env=devhost_env(DEVHOST_STATIC_DIR=str(site)))


def test_every_answer_carries_the_global_headers_of_the_swa_config(swa_host: DevhostProcess) -> None:
    # Given the headers the project's staticwebapp.config.json gives every answer
    expected = json.loads(REPO_SWA_CONFIG.read_text(encoding="utf-8"))["globalHeaders"]
    assert expected

    # When the page, an asset, a client-side route, a function and a 404 are fetched
    answers = [httpx.get(swa_host.url(path)) for path in
               ("/", f"/{ASSET}", "/databricks/requests", "/sample/hello", "/sample/nothing-here")]

    # Then each carries every one of them, with the configured value
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 404]
    for answer in answers:
        for name, value in expected.items():
            assert answer.headers.get(name) == value, (answer.url, name)
    assert "Static Web Apps config:" in swa_host.stdout


def test_paths_the_swa_config_excludes_from_the_fallback_are_404_when_missing(
    swa_host: DevhostProcess, site: Path
) -> None:
    (site / "favicon.svg").unlink()
    excluded = json.loads(REPO_SWA_CONFIG.read_text(encoding="utf-8"))["navigationFallback"]["exclude"]
    assert "/favicon.svg" in excluded and "/assets/*" in excluded

    assert httpx.get(swa_host.url("/favicon.svg")).status_code == 404
    assert httpx.get(swa_host.url("/assets/deeper/chunk-Gone1234.js")).status_code == 404
    assert httpx.get(swa_host.url("/palantir/revoke")).text == INDEX  # a client-side route still falls back


def test_a_config_without_navigation_fallback_serves_no_spa_for_unknown_paths(
    start_devhost: StartDevhost, site: Path
) -> None:
    (site / "staticwebapp.config.json").write_text('{"globalHeaders": {"X-Frame-Options": "DENY"}}')
    host = start_devhost(env=devhost_env(DEVHOST_STATIC_DIR=str(site)))

    assert httpx.get(host.url("/databricks/requests")).status_code == 404
    root = httpx.get(host.url("/"))
    assert root.text == INDEX and root.headers["x-frame-options"] == "DENY"


def test_an_unreadable_swa_config_stops_start_up_naming_it(start_devhost: StartDevhost, site: Path) -> None:
    (site / "staticwebapp.config.json").write_text('{"navigationFallback": {"exclude": ["/x"]}}')
    host = start_devhost(env=devhost_env(DEVHOST_STATIC_DIR=str(site)), wait=False)

    assert host.wait_exit() != 0 and "staticwebapp.config.json" in host.stderr
