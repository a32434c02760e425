"""Function hosts for the HTTP tests: `python -m devhost` processes serving function_app.py,
sharing one migrated SQLite file and one run queue on a real Azurite, as scaled-out instances
share one Azure SQL database and one storage account."""

from __future__ import annotations

import uuid
from pathlib import Path

from shared.settings import load_settings
from tests.devhost.harness import DevhostProcess, devhost_env, free_port

BASE_SETTINGS = {
    "DB_BACKEND": "sqlite", "AUTH_MODE": "none", "ALLOW_TEST_SIMULATION": "true",
    "EMAIL_MODE": "simulated", "EMAIL_SIMULATED_DELAY_SECONDS": "0.05", "REVOKE_DEMO_DELAY_SECONDS": "0",
    "JOB_LOCK_TIMEOUT_SECONDS": "600", "JOB_HEARTBEAT_SECONDS": "60",
}


class Hosts:
    def __init__(self, tmp_path: Path, storage: str) -> None:
        self.tmp_path = tmp_path
        self.db_path = str(tmp_path / "shared.db")
        self.storage = storage  # the Azurite's connection string
        self.queue_name = f"runs-{uuid.uuid4().hex[:12]}"  # this test's own, on the shared Azurite
        self.started: list[DevhostProcess] = []
        from tests.conftest import migrate

        migrate(load_settings(DB_BACKEND="sqlite", SQLITE_PATH=self.db_path))

    def start(self, **settings: str) -> DevhostProcess:
        env = devhost_env(**{**BASE_SETTINGS, "SQLITE_PATH": self.db_path, "AzureWebJobsStorage": self.storage,
                             "JOB_QUEUE_NAME": self.queue_name, "DEVHOST_DISABLE_QUEUES": None, **settings})
        port = free_port()
        host = DevhostProcess(["--port", str(port)], env, self.tmp_path, self.tmp_path, port)
        self.started.append(host)
        host.wait_ready()
        return host

    def close(self) -> None:
        for host in self.started:
            host.cleanup()
