"""local.settings.json, as Azure Functions Core Tools reads it: its `Values` become app settings,
except where the environment already sets them (the environment wins)."""

from __future__ import annotations

import json
import os
from pathlib import Path


def apply_local_settings(path: str | Path = "local.settings.json") -> list[str]:
    """Copy the file's Values into os.environ where unset; returns the names applied."""
    file = Path(path)
    if not file.is_file():
        return []
    values = json.loads(file.read_text(encoding="utf-8")).get("Values", {})
    applied = []
    for name, value in values.items():
        if name not in os.environ and value is not None:
            os.environ[name] = str(value)
            applied.append(name)
    return applied
