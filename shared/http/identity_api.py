"""Who the caller is (`/me`), and the roles function Static Web Apps calls at sign-in (`/roles`).

The roles function (`auth.rolesSource` in staticwebapp.config.json) maps Entra group membership
to the two roles. SWA posts the signed-in user's claims to it after each login and puts the roles
it answers into that user's client principal. Once it is the rolesSource, SWA refuses external
requests to the path, and a linked Function App is reachable only through SWA. Even so it grants
nothing by itself: a direct caller gets back a JSON list of role names it could put nowhere (only
SWA writes the principal header, from its own call). What such a caller could learn is whether a
group id it already knows maps to a role; the answer echoes nothing else, and claims from another
tenant, or from a provider other than Entra, get no roles.
"""

from __future__ import annotations

import logging

import azure.functions as func

from shared.http.call import Call, json_response
from shared.http.models import Claim, Me, RolesSourceRequest, RolesSourceResult
from shared.settings import Settings

log = logging.getLogger(__name__)

ENTRA_PROVIDER = "aad"  # SWA's name for Entra ID, custom registration included
# Entra's groups claim as SWA passes it (v2.0 issuer: "groups"; v1.0: the long form).
GROUP_CLAIMS = frozenset({"groups", "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"})
TENANT_CLAIMS = frozenset({"tid", "http://schemas.microsoft.com/identity/claims/tenantid"})


async def me(call: Call) -> func.HttpResponse:
    assert call.principal is not None  # Access.USER: authorize() has a principal or raised
    roles = sorted(call.principal.roles)
    return json_response(Me(name=call.principal.name, roles=roles, isAdmin=call.settings.admin_role in roles,
                            authMode=call.settings.auth_mode, adminRole=call.settings.admin_role))


def roles_for(user: RolesSourceRequest, settings: Settings) -> list[str]:
    """The roles the user's Entra groups give: ADMIN_ROLE for ADMIN_GROUP_IDS, READER_ROLE for
    READER_GROUP_IDS; none for another tenant's or another provider's user."""
    if user.identityProvider.lower() != ENTRA_PROVIDER:
        return []
    tenants = _values(user.claims, TENANT_CLAIMS)
    if settings.azure_tenant_id and tenants != {settings.azure_tenant_id}:
        log.warning("roles: claims of another tenant (%d tenant claims) get no roles", len(tenants))
        return []
    groups = _values(user.claims, GROUP_CLAIMS)
    roles = []
    if groups & settings.admin_groups:
        roles.append(settings.admin_role)
    if groups & settings.reader_groups:
        roles.append(settings.reader_role)
    return roles


def _values(claims: list[Claim], types: frozenset[str]) -> set[str]:
    return {claim.val.strip().lower() for claim in claims if claim.typ in types}


async def roles_source(call: Call) -> func.HttpResponse:
    return json_response(RolesSourceResult(roles=roles_for(call.body(RolesSourceRequest), call.settings)))
