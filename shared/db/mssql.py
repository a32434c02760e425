"""Azure SQL through pyodbc and ODBC Driver 18, with a Managed Identity token when the connection
string carries no credentials of its own."""

from __future__ import annotations

import logging
import re
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

from shared.db.dialect import odbc_native_errors, odbc_sqlstate

log = logging.getLogger(__name__)

# msodbcsql pre-connect attribute that takes an Entra ID access token.
SQL_COPT_SS_ACCESS_TOKEN = 1256
TOKEN_SCOPE = "https://database.windows.net/.default"  # noqa: S105 (a scope, not a secret)
# Refresh this long before expiry: the driver manager's pool ignores the token when matching
# pooled connections, so a token must never be used close to its end.
TOKEN_REFRESH_MARGIN_SECONDS = 300
# Azure SQL's transient connect errors, SqlClient's baseline list; 40613 is also a paused serverless
# database resuming. 08S01 (communication link failure) is a dropped socket whatever number the
# platform gives it (Linux reports errno 104 where Windows reports 10054).
TRANSIENT_ERRORS = frozenset({
    4060, 40197, 40501, 40613, 49918, 49919, 49920,
    10928, 10929, 40143, 40540, 42108, 42109, 233, 10053, 10054, 10060,
})
TRANSIENT_SQLSTATES = frozenset({"08S01"})
# Backoff 1, 2, 4, 8, 16, 30 s: about a minute in all, what a serverless database takes to resume.
CONNECT_ATTEMPTS = 7
MAX_BACKOFF_SECONDS = 30.0
_CREDENTIAL_KEYS = re.compile(r"(^|;)\s*(UID|PWD|Authentication|Trusted_Connection)\s*=", re.I)


def access_token_struct(token: str) -> bytes:
    """The ODBC token buffer: little-endian 4-byte length, then the token in UTF-16-LE."""
    encoded = token.encode("utf-16-le")
    return struct.pack(f"<I{len(encoded)}s", len(encoded), encoded)


def has_own_credentials(connection_string: str) -> bool:
    return _CREDENTIAL_KEYS.search(connection_string) is not None


def transient_error(error: BaseException) -> str | None:
    """The transient error's number or SQLSTATE, for the log; None when retrying cannot help."""
    number = next((n for n in odbc_native_errors(error) if n in TRANSIENT_ERRORS), None)
    if number is not None:
        return str(number)
    state = odbc_sqlstate(error)
    return state if state in TRANSIENT_SQLSTATES else None


class TokenCache:
    """One Managed Identity token per process, refreshed before it expires."""

    def __init__(self, get_token: Callable[[str], Any] | None = None) -> None:
        self._get_token = get_token
        self._token: str | None = None
        self._expires_on = 0.0
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            if self._token is None or time.time() > self._expires_on - TOKEN_REFRESH_MARGIN_SECONDS:
                if self._get_token is None:
                    from azure.identity import DefaultAzureCredential

                    self._get_token = DefaultAzureCredential().get_token
                access = self._get_token(TOKEN_SCOPE)
                self._token, self._expires_on = access.token, float(access.expires_on)
            return self._token


_TOKENS = TokenCache()


def connect_mssql(
    connection_string: str,
    *,
    attempts: int = CONNECT_ATTEMPTS,
    first_backoff_seconds: float = 1.0,
    tokens: TokenCache = _TOKENS,
    sleep: Callable[[float], None] = time.sleep,
) -> Any:
    """Connect in autocommit mode, retrying Azure SQL's transient errors with exponential backoff."""
    import pyodbc  # imported here: the SQLite default must not need the ODBC driver manager

    for attempt in range(1, attempts + 1):
        attrs: dict[int, Any] = {}
        if not has_own_credentials(connection_string):
            attrs[SQL_COPT_SS_ACCESS_TOKEN] = access_token_struct(tokens.token())
        try:
            return pyodbc.connect(connection_string, attrs_before=attrs, autocommit=True)
        except pyodbc.Error as error:
            transient = transient_error(error)
            if transient is None or attempt == attempts:
                raise
            delay = min(first_backoff_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)
            log.warning("Azure SQL transient error %s on connect; retry %d in %.1fs",
                        transient, attempt, delay)
            sleep(delay)
    raise AssertionError("unreachable")
