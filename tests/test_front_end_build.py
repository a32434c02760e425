"""What a production build of static-web ships: no source maps (they would publish the source)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[1] / "static-web"
VITE = WEB / "node_modules" / ".bin" / "vite"


@pytest.mark.skipif(not VITE.exists(), reason="static-web is not installed (npm ci)")
def test_a_production_build_ships_no_source_maps(tmp_path: Path) -> None:
    # When the front end is built as for deployment (into a scratch folder, not static-web/dist)
    out = tmp_path / "dist"
    subprocess.run([str(VITE), "build", "--outDir", str(out), "--emptyOutDir", "--logLevel", "error"],
                   cwd=WEB, check=True, timeout=300)

    # Then it has its script, and neither a .map file nor a reference to one
    scripts = list(out.rglob("*.js"))
    assert scripts and (out / "index.html").is_file()
    assert list(out.rglob("*.map")) == []
    assert not [p for p in out.rglob("*") if p.is_file() and b"sourceMappingURL" in p.read_bytes()]
