"""The Functions host's admin listing: `GET /admin/functions` and `GET /admin/functions/{name}`.

Tools ask the host what the app holds: the Static Web Apps CLI reads every function's trigger type
from the listing when `swa start` proxies to an API dev server (without it, it logs "Unable to
query functions trigger types"). Each item has the fields of the host's FunctionMetadataResponse
that mean something here: `name`, `href` (the item's own address), `config` (the function's
binding JSON as the worker reports it: `bindings` with each trigger's type), `invoke_url_template`
for HTTP triggers, `language`, `isDisabled`, `isDirect`, `isProxy`. The file links (`script_href`,
`config_href`, ...) point into the host's virtual file system, which this host does not serve, so
they are left out rather than left dangling.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from devhost.functions import FunctionConfig

__all__ = ["ADMIN_FUNCTIONS_PATH", "FunctionListing"]

ADMIN_FUNCTIONS_PATH = ("admin", "functions")
LANGUAGE = "python"


class FunctionListing:
    """Every registered function (run by this host or not, as the Functions host lists them all)."""

    def __init__(self, configs: Sequence[FunctionConfig], invoke_paths: Mapping[str, str]) -> None:
        """`invoke_paths`: the URL path (route prefix included) of each HTTP-triggered function by name."""
        self.configs = tuple(configs)
        self.invoke_paths = dict(invoke_paths)

    def items(self, base_url: str) -> list[dict[str, Any]]:
        return [self._item(config, base_url) for config in self.configs]

    def item(self, name: str, base_url: str) -> dict[str, Any] | None:
        # Function names are case-insensitive in the Functions host.
        for config in self.configs:
            if config.name.casefold() == name.casefold():
                return self._item(config, base_url)
        return None

    def _item(self, config: FunctionConfig, base_url: str) -> dict[str, Any]:
        item: dict[str, Any] = {
            "name": config.name,
            "href": f"{base_url}/{'/'.join(ADMIN_FUNCTIONS_PATH)}/{config.name}",
            "config": config.config,
            "language": LANGUAGE,
            # Disabling functions (AzureWebJobs.<name>.Disabled) is not emulated: every function runs.
            "isDisabled": False,
            "isDirect": False,
            "isProxy": False,
        }
        path = self.invoke_paths.get(config.name)
        if path is not None:
            item["invoke_url_template"] = f"{base_url}/{path}"
        return item
