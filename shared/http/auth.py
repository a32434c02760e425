"""Who is calling: Azure Static Web Apps' `x-ms-client-principal` header (AUTH_MODE=swa).

SWA sets the header after its own login, and a *linked* Function App is reachable only through
SWA, which is what makes the header trustworthy (DESIGN section 8). AUTH_MODE=none is for local
development: every caller is a local administrator.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from enum import Enum

import azure.functions as func

from shared.http.problems import ApiError
from shared.settings import Settings

PRINCIPAL_HEADER = "x-ms-client-principal"


class Access(Enum):
    PUBLIC = "public"  # health and the API description
    USER = "user"  # any signed-in user
    ADMIN = "admin"  # running a job: ADMIN_ROLE


@dataclass(frozen=True)
class Principal:
    user_id: str
    name: str
    roles: frozenset[str]


LOCAL_ADMIN = Principal("local", "local developer", frozenset({"authenticated", "anonymous"}))


def read_principal(header: str | None) -> Principal | None:
    if not header:
        return None
    try:
        data = json.loads(base64.b64decode(header, validate=False))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not data.get("userId"):
        return None
    roles = data.get("userRoles") or []
    if not isinstance(roles, list):
        return None
    return Principal(str(data["userId"]), str(data.get("userDetails") or data["userId"]),
                     frozenset(str(r) for r in roles))


def authorize(req: func.HttpRequest, settings: Settings, access: Access) -> Principal | None:
    if access is Access.PUBLIC:
        return None
    if settings.auth_mode == "none":
        return LOCAL_ADMIN
    principal = read_principal(req.headers.get(PRINCIPAL_HEADER))
    if principal is None:
        raise ApiError(401, "Sign in first: no valid Static Web Apps client principal was sent.")
    if access is Access.ADMIN and settings.admin_role not in principal.roles:
        raise ApiError(403, f"Running a job needs the '{settings.admin_role}' role.")
    return principal
