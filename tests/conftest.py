"""Shared fixtures: a migrated database per test, on SQLite always and on SQL Server when
TEST_MSSQL_CONNECTION_STRING names one (opt-in; skipped with that reason otherwise)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from shared.db import Connection, connect
from shared.migrate import apply_migrations, migrations_for
from shared.settings import Settings, load_settings
from tests.support.run_queue import InProcessRunQueue

if TYPE_CHECKING:
    from tests.hosts import Hosts

# Loading function_app migrates its SQLite file, and the tests load it while collecting: a
# throwaway file, never a developer's data/ database.
_COLLECTION_DIR = tempfile.mkdtemp(prefix="access-requests-tests-")
atexit.register(shutil.rmtree, _COLLECTION_DIR, ignore_errors=True)
os.environ["SQLITE_PATH"] = str(Path(_COLLECTION_DIR) / "collection.db")

MSSQL_ENV = "TEST_MSSQL_CONNECTION_STRING"
# Children before parents, so a SQL Server test database can be emptied between tests.
_TABLES_CHILD_FIRST = (
    "ExpiryNotification_Databricks", "ExpiryNotification_Palantir", "RevokedAccess_Databricks",
    "RevokedAccess_Palantir", "JobRun", "JobRunItem", "NotificationClaim", "DataAccessDeltaRequests",
    "DataAccessPalantirRequests",
)


def make_settings(tmp_path: Path, backend: str = "sqlite", **overrides: object) -> Settings:
    values: dict[str, object] = {
        "DB_BACKEND": backend,
        "SQLITE_PATH": str(tmp_path / "test.db"),
        "AUTH_MODE": "none",
        "EMAIL_SIMULATED_DELAY_SECONDS": 0,
        "JOB_HEARTBEAT_SECONDS": 0.2,
    }
    if backend == "mssql":
        connection_string = os.environ.get(MSSQL_ENV)
        if not connection_string:
            pytest.skip(f"{MSSQL_ENV} is not set: no SQL Server to run the SQL Server variant on")
        values["SQL_CONNECTION_STRING"] = connection_string
    values.update(overrides)
    return load_settings(**values)


def migrate(settings: Settings) -> None:
    with connect(settings, migrator=True) as conn:
        apply_migrations(
            conn, migrations_for(settings.db_backend, dev_platform_tables=settings.db_backend == "mssql")
        )
        if settings.db_backend == "mssql":
            for table in _TABLES_CHILD_FIRST:
                conn.execute_script(f"DELETE FROM dbo.{table}")


@pytest.fixture(params=["sqlite", pytest.param("mssql", marks=pytest.mark.mssql)])
def any_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """A migrated, empty database on each backend available."""
    settings = make_settings(tmp_path, request.param)
    migrate(settings)
    return settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A migrated, empty SQLite database file."""
    value = make_settings(tmp_path)
    migrate(value)
    return value


@pytest.fixture
def conn(settings: Settings) -> Iterator[Connection]:
    with connect(settings) as connection:
        yield connection


@pytest.fixture
def any_conn(any_settings: Settings) -> Iterator[Connection]:
    with connect(any_settings) as connection:
        yield connection


@pytest.fixture
def api_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """App settings in the environment, as the Functions host gives them; a migrated SQLite file."""
    from shared.settings import get_settings

    env = {"DB_BACKEND": "sqlite", "SQLITE_PATH": str(tmp_path / "api.db"), "AUTH_MODE": "none",
           "ALLOW_TEST_SIMULATION": "true", "EMAIL_SIMULATED_DELAY_SECONDS": "0",
           "REVOKE_DEMO_DELAY_SECONDS": "0", "JOB_HEARTBEAT_SECONDS": "0.2"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    settings = get_settings()
    migrate(settings)
    yield settings
    get_settings.cache_clear()


def set_app_settings(monkeypatch: pytest.MonkeyPatch, **values: str) -> Settings:
    """Change app settings for the rest of a test (the host would restart on such a change)."""
    from shared.settings import get_settings

    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture(autouse=True)
def in_process_run_queue(monkeypatch: pytest.MonkeyPatch) -> InProcessRunQueue:
    """Runs started by functions called in-process execute at once, in-process; real hosts (the
    `hosts` fixture, other processes) use the real queue."""
    queue = InProcessRunQueue()
    monkeypatch.setattr("shared.jobs.runs.open_run_queue", lambda name: queue)
    return queue


@pytest.fixture(scope="session")
def azurite_storage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real Azurite for the session's hosts (each test has its own queue); its connection string."""
    from tests.devhost.harness import running_azurite

    with running_azurite(tmp_path_factory.mktemp("azurite")) as connection_string:
        yield connection_string


@pytest.fixture
def hosts(tmp_path: Path, azurite_storage: str) -> Iterator[Hosts]:
    """`python -m devhost` processes on one migrated SQLite file and one Azurite; all stopped afterwards."""
    from tests.hosts import Hosts

    running = Hosts(tmp_path, azurite_storage)
    try:
        yield running
    finally:
        running.close()
