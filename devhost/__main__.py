"""`python -m devhost`: serve a FunctionApp locally, standing in for `func start`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from devhost.server import HostOptions, StartupError, prepare_host

log = logging.getLogger("devhost")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m devhost",
        description="Serve the FunctionApp's own registered functions (HTTP, timer and queue triggers) locally.",
    )
    parser.add_argument(
        "--app", default="function_app:app", help="MODULE:ATTRIBUTE of the FunctionApp (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help="port (default: $PORT, else local.settings.json Host.LocalHttpPort, else 7071; 0: any free)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="(default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.port is not None and not 0 <= args.port <= 65535:
        parser.error(f"--port must be between 0 and 65535, got {args.port}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, args.log_level),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # The Azure SDKs log every request and response at INFO: the queue pollers would drown the host's log.
    logging.getLogger("azure.core.pipeline.policies.http_logging_policy").setLevel(logging.WARNING)
    try:
        host = prepare_host(HostOptions(app_ref=args.app, port=args.port, host=args.host))
        return host.run()
    except StartupError as exc:
        log.error("devhost cannot start: %s", exc)
        return 1
    except Exception:
        log.exception("devhost cannot start: the app failed to load")
        return 1


if __name__ == "__main__":
    sys.exit(main())
