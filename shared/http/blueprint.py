"""Registers every endpoint of the registry, for every platform, as an Azure Function."""

from __future__ import annotations

import azure.functions as func
from azure.functions.decorators.function_app import FunctionBuilder

from shared.http.endpoints import ENDPOINTS, http_handler
from shared.platforms import all_platforms
from shared.settings import Settings


def http_blueprint(settings: Settings) -> tuple[func.Blueprint, dict[str, FunctionBuilder]]:
    """The blueprint, and its functions by name (tests call `.build().get_user_function()`)."""
    blueprint = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)  # type: ignore[no-untyped-call]
    functions: dict[str, FunctionBuilder] = {}
    platforms = all_platforms(settings)
    for endpoint in ENDPOINTS:
        for platform in platforms if endpoint.per_platform else platforms[:1]:
            name = endpoint.function_name(platform)
            handler = http_handler(endpoint, platform)
            handler.__name__ = handler.__qualname__ = name
            # Anonymous at the Functions level: SWA (linked backend) authenticates, and the
            # handler checks the client principal and roles itself.
            route = blueprint.route(route=endpoint.route(platform), methods=[endpoint.method],
                                    auth_level=func.AuthLevel.ANONYMOUS)
            functions[name] = blueprint.function_name(name)(route(handler))
    return blueprint, functions
