"""The built front end (static-web/dist) at `/`, with the SPA fallback Static Web Apps gives.

Vite names built assets with a content hash (`assets/index-B1x2y3z4.js`), so
those may be cached for good; index.html must not be cached or a new build
would never reach the browser.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

__all__ = ["StaticSite", "find_static_dir"]

DEFAULT_STATIC_DIR = Path("static-web") / "dist"
_HASHED = re.compile(r".+[.-][A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+$")
CACHE_FOREVER = "public, max-age=31536000, immutable"
NO_STORE = "no-store, max-age=0"
REVALIDATE = "no-cache"


def find_static_dir(environ: Mapping[str, str], cwd: Path) -> Path:
    """`DEVHOST_STATIC_DIR` if set, else static-web/dist; relative paths are from the working directory."""
    configured = environ.get("DEVHOST_STATIC_DIR")
    path = Path(configured) if configured else DEFAULT_STATIC_DIR
    return path if path.is_absolute() else cwd / path


class StaticSite:
    def __init__(self, root: Path, api_base_url: str) -> None:
        self.root = root.resolve()
        self.api_base_url = api_base_url

    @property
    def built(self) -> bool:
        return (self.root / "index.html").is_file()

    def respond(self, request: Request, segments: list[str]) -> Response | None:
        """A response for a GET/HEAD outside the API, or None when there is nothing to serve."""
        if not self.built:
            if segments:
                return None
            return PlainTextResponse(
                "The front end is not built (no index.html in "
                f"{self.root}).\nBuild static-web, or use the API at {self.api_base_url}\n",
                headers={"Cache-Control": NO_STORE},
            )
        file = self._existing_file(segments)
        if file is not None and file.name != "index.html":
            cache = CACHE_FOREVER if _HASHED.match(file.name) else REVALIDATE
            return FileResponse(file, headers={"Cache-Control": cache})
        # index.html itself, and every other path: the client-side router decides.
        return FileResponse(self.root / "index.html", headers={"Cache-Control": NO_STORE})

    def _existing_file(self, segments: list[str]) -> Path | None:
        if not segments or any(_unsafe(part) for part in segments):
            return None
        candidate = self.root.joinpath(*segments).resolve()
        # Symlinks or odd names must not reach outside the site.
        if candidate != self.root and self.root not in candidate.parents:
            return None
        return candidate if candidate.is_file() else None


def _unsafe(segment: str) -> bool:
    # Decoded segments may carry separators (%2F) or dot segments; none may name a file.
    return segment in ("", ".", "..") or any(char in segment for char in "/\\\x00")
