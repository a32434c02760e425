"""The built front end at `/`, with SPA fallback, beside the API."""

from __future__ import annotations

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
