"""The storage account a queue binding's `connection` names, resolved as the Functions host does.

A connection is the name of an app setting (default `AzureWebJobsStorage`) holding either
* a connection string, `UseDevelopmentStorage=true` being the local emulator (Azurite), or
* nothing, with `<name>__queueServiceUri` (or `<name>__accountName`) set instead: an identity-based
  connection, authenticated with DefaultAzureCredential (`<name>__clientId` picks a user-assigned
  managed identity), as in Azure.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from azure.storage.queue import QueueServiceClient

__all__ = [
    "DEVELOPMENT_QUEUE_PORT",
    "StorageAccount",
    "development_connection_string",
    "resolve_storage",
]

DEVELOPMENT_QUEUE_PORT = 10001
DEVELOPMENT_STORAGE = "UseDevelopmentStorage=true"
# Azurite's well-known account, the same for everyone (it is documented, not a secret).
_DEV_ACCOUNT = "devstoreaccount1"
_DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
# Short timeouts and few retries: a poller that cannot reach storage logs and backs off itself,
# and shutdown must not wait on the SDK's default minute-long retry chain.
_CLIENT_OPTIONS: dict[str, Any] = {"connection_timeout": 5, "read_timeout": 30, "retry_total": 2}


def development_connection_string(port: int) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={_DEV_ACCOUNT};AccountKey={_DEV_KEY};"
        f"QueueEndpoint=http://127.0.0.1:{port}/{_DEV_ACCOUNT};"
    )


@dataclass(frozen=True)
class StorageAccount:
    setting: str  # the connection's name, for messages
    connection_string: str | None = None
    queue_service_uri: str | None = None  # identity-based
    client_id: str | None = None
    development_port: int | None = None  # set when this is the local emulator

    def describe(self) -> str:
        if self.development_port is not None:
            return f"{self.setting}: Azurite at 127.0.0.1:{self.development_port}"
        if self.queue_service_uri is not None:
            return f"{self.setting}: {self.queue_service_uri} (identity-based)"
        return f"{self.setting}: connection string"

    def service_client(self) -> QueueServiceClient:
        if self.connection_string is not None:
            return QueueServiceClient.from_connection_string(self.connection_string, **_CLIENT_OPTIONS)
        assert self.queue_service_uri is not None
        # Imported here: only identity-based connections need azure-identity's credential chain.
        from azure.identity import DefaultAzureCredential

        credential = (
            DefaultAzureCredential(managed_identity_client_id=self.client_id)
            if self.client_id
            else DefaultAzureCredential()
        )
        return QueueServiceClient(self.queue_service_uri, credential=credential, **_CLIENT_OPTIONS)


def resolve_storage(
    connection: str,
    *,
    environ: MutableMapping[str, str],
    defaults: Mapping[str, str],
    development_port: int,
) -> StorageAccount:
    """The account behind `connection`: its connection string, its identity-based settings, or (set
    to nothing) the local emulator.

    When the setting is the development storage on a port other than Azurite's default, the
    setting itself is rewritten to Azurite's explicit connection string, so the app's own queue
    clients (which read `UseDevelopmentStorage=true` as port 10001) reach the same emulator.
    """
    value = (environ.get(connection) or defaults.get(connection) or "").strip()
    identity_based = any(environ.get(f"{connection}__{key}", "").strip() for key in ("queueServiceUri", "accountName"))
    if not value and not identity_based:
        # A local host with nothing configured means the local emulator (DESIGN: a bare host just
        # works); the setting is filled in so the app's own queue clients find the same one.
        value = environ[connection] = DEVELOPMENT_STORAGE
    if value:
        # (the second test: a setting this function rewrote already, for another binding)
        if _is_development_storage(value) or value == development_connection_string(development_port):
            if development_port != DEVELOPMENT_QUEUE_PORT:
                environ[connection] = development_connection_string(development_port)
            return StorageAccount(
                setting=connection,
                connection_string=development_connection_string(development_port),
                development_port=development_port,
            )
        return StorageAccount(setting=connection, connection_string=value)
    service_uri = environ.get(f"{connection}__queueServiceUri", "").strip()
    account_name = environ.get(f"{connection}__accountName", "").strip()
    if not service_uri and account_name:
        service_uri = f"https://{account_name}.queue.core.windows.net"
    if service_uri:
        return StorageAccount(
            setting=connection,
            queue_service_uri=service_uri,
            client_id=environ.get(f"{connection}__clientId", "").strip() or None,
        )
    raise AssertionError("unreachable: an identity-based setting gives a service URI")


def _is_development_storage(value: str) -> bool:
    # Keys are case-insensitive in storage connection strings.
    pairs = (part.split("=", 1) for part in value.split(";") if "=" in part)
    return any(key.strip().lower() == "usedevelopmentstorage" and v.strip().lower() == "true" for key, v in pairs)
