"""Who is calling: Azure Static Web Apps' `x-ms-client-principal` header (AUTH_MODE=swa), and
what they may do (DESIGN section 6, R2: roles, not just sign-in).

SWA sets the header after its own login, and a *linked* Function App is reachable only through
SWA, which is what makes the header trustworthy (DESIGN section 8). Signing in proves an identity,
not a right: reading request data needs READER_ROLE or ADMIN_ROLE, changing anything ADMIN_ROLE.
AUTH_MODE=none is for local development: every caller is a local administrator.
"""

from __future__ import annotations

import base64
import binascii
import json
import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import NoReturn

import azure.functions as func

from shared.http.problems import ApiError
from shared.settings import Settings

PRINCIPAL_HEADER = "x-ms-client-principal"
# SWA's principal is a few hundred bytes; anything near this is not one, and is not decoded.
MAX_PRINCIPAL_HEADER_CHARS = 16 * 1024
MAX_NAME_CHARS = 320  # an email address at most (userDetails is the user's email or UPN)


class Access(Enum):
    PUBLIC = "public"  # health, the API description, and the roles function SWA calls itself
    USER = "user"  # any signed-in user: /me
    READER = "reader"  # reading request data: READER_ROLE or ADMIN_ROLE
    ADMIN = "admin"  # creating requests and running jobs: ADMIN_ROLE


@dataclass(frozen=True)
class Principal:
    user_id: str
    name: str
    roles: frozenset[str]


def local_developer(settings: Settings) -> Principal:
    """AUTH_MODE=none: the one local user, an administrator."""
    return Principal("local", "local developer", frozenset({"anonymous", "authenticated", settings.admin_role}))


def required_roles(access: Access, settings: Settings) -> tuple[str, ...]:
    """Any one of these roles grants `access`; () for public endpoints."""
    return {
        Access.PUBLIC: (),
        Access.USER: ("authenticated",),
        Access.READER: (settings.reader_role, settings.admin_role),
        Access.ADMIN: (settings.admin_role,),
    }[access]


def is_safe_text(text: str) -> bool:
    # Control, format (bidi overrides, zero-width), unassigned and line/paragraph-separator
    # characters: none is in an email address or UPN, and each can forge or hide log lines.
    return not any(unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp") for ch in text)


def _no_constants(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity, which json.loads takes by default


def read_principal(header: str | None) -> Principal | None:
    """The client principal, or None when the header is missing or is not one SWA would send.

    A name (userDetails) with control characters is refused, not cleaned: no identity provider
    issues such a name, so the header is forged or corrupt, and a cleaned name would put an
    identity nobody has into the log and into Started_By / Revoked_By.
    """
    if not header or len(header) > MAX_PRINCIPAL_HEADER_CHARS:
        return None
    try:
        data = json.loads(base64.b64decode(header.strip(), validate=True), parse_constant=_no_constants)
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    user_id, name, roles = data.get("userId"), data.get("userDetails") or data.get("userId"), data.get("userRoles", [])
    if not isinstance(user_id, str) or not user_id.strip() or not isinstance(name, str):
        return None
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        return None
    if len(user_id) > MAX_NAME_CHARS or len(name) > MAX_NAME_CHARS or not is_safe_text(user_id + name):
        return None
    return Principal(user_id, name, frozenset(roles))


def authorize(req: func.HttpRequest, settings: Settings, access: Access) -> Principal | None:
    """The caller, when `access` admits them; else 401 (no valid principal) or 403 (no role)."""
    if access is Access.PUBLIC:
        return None
    if settings.auth_mode == "none":
        return local_developer(settings)
    principal = read_principal(req.headers.get(PRINCIPAL_HEADER))
    if principal is None:
        raise ApiError(401, "Sign in first: no valid Static Web Apps client principal was sent.")
    needed = required_roles(access, settings)
    if principal.roles.isdisjoint(needed):
        what = "Reading request data" if access is Access.READER else "Creating requests and running jobs"
        raise ApiError(403, f"{what} needs the {' or '.join(repr(r) for r in needed)} role.",
                       requiredRoles=list(needed))
    return principal
