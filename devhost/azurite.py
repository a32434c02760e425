"""A shared Azurite (queue service) for the hosts on this machine, started when none answers.

Lifetime: the Azurite is owned by a small watchdog process (this file, run as a script), started
in its own session, not by the host that needed it. Each host using it registers its pid in a state
directory (one per port); the watchdog stops Azurite, and deletes its data directory, once no
registered host is alive. So:
* a host that exits (or is `kill -9`ed) never takes the emulator away from the hosts still using it,
  and queued messages survive it: restarting Azurite instead would lose them with its data;
* Ctrl+C in a terminal (SIGINT to the foreground process group) does not reach the watchdog;
* nothing is left running once the last host is gone, however it ended.
Starting and stopping happen under one file lock, so two hosts starting together start one
Azurite, and a host arriving while the watchdog stops it waits and starts a fresh one.
POSIX only (fcntl), like the rest of devhost's process handling.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = ["AzuriteError", "SharedAzurite", "azurite_command", "find_azurite", "is_answering", "state_dir"]

log = logging.getLogger("devhost.azurite")

AZURITE_BINARY = "azurite-queue"
START_TIMEOUT = 60.0
# Azurite closes only once its clients' keep-alive connections end; its data is thrown away anyway.
STOP_TIMEOUT = 3.0
WATCH_INTERVAL = 0.5


class AzuriteError(Exception):
    """Azurite cannot be found or started; the message says what to do."""


def is_answering(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def find_azurite(search_from: Sequence[Path]) -> Path:
    """`azurite-queue` from the project's node_modules (`npm ci`), else from PATH."""
    for start in search_from:
        for directory in (start, *start.parents):
            candidate = directory / "node_modules" / ".bin" / AZURITE_BINARY
            if candidate.is_file():
                return candidate
    on_path = shutil.which(AZURITE_BINARY)
    if on_path:
        return Path(on_path)
    raise AzuriteError(
        f"{AZURITE_BINARY} is not installed: run `npm ci` in the project root (make setup does), "
        "or start an Azurite yourself on 127.0.0.1"
    )


def azurite_command(binary: Path, port: int, location: Path) -> list[str]:
    """Azurite's queue service on 127.0.0.1:`port`, keeping its data in `location`."""
    return [
        str(binary),
        "--queueHost",
        "127.0.0.1",
        "--queuePort",
        str(port),
        "--location",
        str(location),
        "--skipApiVersionCheck",  # the newest SDKs ask for API versions Azurite has not listed yet
        "--loose",
        "--silent",
    ]


def state_dir(port: int) -> Path:
    return Path(tempfile.gettempdir()) / f"devhost-azurite-{port}"


@contextlib.contextmanager
def _locked(state: Path) -> Iterator[None]:
    with (state / "lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SharedAzurite:
    """This host's registration with the shared Azurite on `port`."""

    def __init__(self, port: int, binary: Path) -> None:
        self.port = port
        self.binary = binary
        self.state = state_dir(port)
        self.started_here = False
        self._registration = self.state / "hosts" / str(os.getpid())

    def ensure(self) -> None:
        """Register this host and start Azurite unless something answers on the port already."""
        (self.state / "hosts").mkdir(parents=True, exist_ok=True)
        with _locked(self.state):
            self._registration.touch()
            if is_answering(self.port):
                return
            log.info("Nothing answers on 127.0.0.1:%d: starting Azurite (queue service)", self.port)
            watchdog_log = (self.state / "azurite.log").open("ab")
            with watchdog_log:
                # By file, not `-m devhost.azurite`: it needs only the standard library, so it runs
                # whatever the working directory and sys.path (devhost need not be installed).
                watchdog = subprocess.Popen(  # noqa: S603 - our own interpreter and file
                    [sys.executable, __file__, "--port", str(self.port), "--binary", str(self.binary)],
                    stdin=subprocess.DEVNULL,
                    stdout=watchdog_log,
                    stderr=subprocess.STDOUT,
                    cwd=self.state,
                    start_new_session=True,  # outlives this host and its terminal's Ctrl+C
                )
            deadline = time.monotonic() + START_TIMEOUT
            while not is_answering(self.port):
                if watchdog.poll() is not None or time.monotonic() > deadline:
                    raise AzuriteError(f"Azurite did not start on 127.0.0.1:{self.port}; see {self.state}/azurite.log")
                time.sleep(0.1)
            self.started_here = True
            log.info("Azurite is listening on 127.0.0.1:%d (shared; log %s/azurite.log)", self.port, self.state)

    def release(self) -> None:
        """This host no longer needs Azurite; the watchdog stops it when no other host does."""
        with contextlib.suppress(FileNotFoundError):
            self._registration.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed child its parent has not reaped yet still has a pid: it is gone all the same.
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _live_hosts(state: Path) -> list[int]:
    live: list[int] = []
    for entry in (state / "hosts").iterdir():
        if entry.name.isdigit() and _alive(int(entry.name)):
            live.append(int(entry.name))
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
    return live


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


def watch(port: int, binary: Path) -> int:
    """The watchdog: run Azurite until no registered host is alive, then stop it and delete its data."""
    state = state_dir(port)
    data = Path(tempfile.mkdtemp(prefix="data-", dir=state))
    azurite = subprocess.Popen(  # noqa: S603 - the project's Azurite, found by find_azurite
        azurite_command(binary, port, data), stdin=subprocess.DEVNULL
    )
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping and azurite.poll() is None:
            time.sleep(WATCH_INTERVAL)
            with _locked(state):
                if not _live_hosts(state):
                    # Stopped while holding the lock: a host starting now waits, then finds the port free.
                    _stop(azurite)
                    print(f"No devhost uses Azurite on port {port} any more: stopped", flush=True)
    finally:
        _stop(azurite)
        shutil.rmtree(data, ignore_errors=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devhost/azurite.py", description=watch.__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--binary", type=Path, required=True)
    args = parser.parse_args(argv)
    return watch(args.port, args.binary)


if __name__ == "__main__":
    sys.exit(main())
