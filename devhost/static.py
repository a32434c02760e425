"""The built front end (static-web/dist) at `/`, with the SPA fallback Static Web Apps gives.

Vite names built assets with a content hash (`assets/index-B1x2y3z4.js`), so
those may be cached for good; index.html must not be cached or a new build
would never reach the browser.

What Static Web Apps reads from `staticwebapp.config.json` (in the site's folder or the app folder
above it, as SWA finds it) is read from there too, once at start, so there is one source:
`globalHeaders` go on every answer, and `navigationFallback` decides which missing paths get the
SPA (`rewrite`) and which stay 404 (`exclude`, SWA's wildcards: `*` and `{a,b}`). Without the file,
every missing path but one under `/assets/` gets index.html.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

__all__ = ["StaticSite", "SwaConfig", "find_static_dir", "read_swa_config"]

DEFAULT_STATIC_DIR = Path("static-web") / "dist"
_HASHED = re.compile(r".+[.-][A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+$")
CACHE_FOREVER = "public, max-age=31536000, immutable"
NO_STORE = "no-store, max-age=0"
REVALIDATE = "no-cache"
SWA_CONFIG = "staticwebapp.config.json"
# Vite's hashed output: a missing one is a stale reference, never a client-side route.
DEFAULT_FALLBACK_EXCLUDE = ("/assets/*",)


@dataclass(frozen=True)
class SwaConfig:
    """What the host applies of a staticwebapp.config.json."""

    path: Path | None = None
    global_headers: dict[str, str] = field(default_factory=dict)
    fallback: str | None = "/index.html"  # None: no SPA fallback, a missing path is 404
    fallback_exclude: tuple[re.Pattern[str], ...] = field(
        default_factory=lambda: tuple(_wildcard(p) for p in DEFAULT_FALLBACK_EXCLUDE))

    def falls_back(self, path: str) -> bool:
        return self.fallback is not None and not any(p.fullmatch(path) for p in self.fallback_exclude)


def read_swa_config(static_root: Path) -> SwaConfig:
    """The config beside the built site or in the app folder above it; defaults when there is none."""
    for candidate in (static_root / SWA_CONFIG, static_root.parent / SWA_CONFIG):
        if candidate.is_file():
            break
    else:
        return SwaConfig()
    try:
        raw = json.loads(candidate.read_text(encoding="utf-8"))
        headers = {str(k): str(v) for k, v in raw.get("globalHeaders", {}).items()}
        fallback = raw.get("navigationFallback")
        rewrite = str(fallback["rewrite"]) if fallback else None
        exclude = tuple(_wildcard(str(p)) for p in (fallback or {}).get("exclude", []))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"{candidate}: not a usable {SWA_CONFIG} ({exc})") from exc
    return SwaConfig(candidate, headers, rewrite, exclude)


def _wildcard(pattern: str) -> re.Pattern[str]:
    """SWA's route wildcards: `*` is anything (slashes too), `{png,jpg}` one of the names."""
    parts = re.split(r"(\*|\{[^}]*\})", pattern)
    regex = "".join(".*" if part == "*" else
                    "(?:" + "|".join(map(re.escape, part[1:-1].split(","))) + ")" if part.startswith("{") else
                    re.escape(part) for part in parts)
    return re.compile(regex, re.IGNORECASE)


def find_static_dir(environ: Mapping[str, str], cwd: Path) -> Path:
    """`DEVHOST_STATIC_DIR` if set, else static-web/dist; relative paths are from the working directory."""
    configured = environ.get("DEVHOST_STATIC_DIR")
    path = Path(configured) if configured else DEFAULT_STATIC_DIR
    return path if path.is_absolute() else cwd / path


class StaticSite:
    def __init__(self, root: Path, api_base_url: str, config: SwaConfig | None = None) -> None:
        self.root = root.resolve()
        self.api_base_url = api_base_url
        self.config = config or SwaConfig()

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
        if file is None and segments and not self.config.falls_back("/" + "/".join(segments)):
            return None  # excluded from the SPA fallback (or there is none): a 404, as in SWA
        # index.html itself, and every other path: the client-side router decides.
        rewrite = self._existing_file((self.config.fallback or "").strip("/").split("/"))
        return FileResponse(rewrite or self.root / "index.html", headers={"Cache-Control": NO_STORE})

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
