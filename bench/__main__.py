"""Benchmarks (not tests: they print figures and ratios, and exit 0 even when a goal is missed).

    python -m bench [notify|candidates|revoke|body|runs|list|all] [options]

Each benchmark runs on fresh SQLite files in a temporary directory, migrated with the project's
own migrations, and removed afterwards.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from bench import body, candidates, notify, request_list, revoke, runs

BENCHMARKS = ("notify", "candidates", "revoke", "body", "runs", "list")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", nargs="?", choices=(*BENCHMARKS, "all"), default="all")
    group = parser.add_argument_group("notify and runs")
    group.add_argument("--n", type=int, default=1000, help="pending requests (default 1000)")
    group.add_argument("--delay", type=float, default=1.0, help="simulated send delay D, seconds (default 1.0)")
    group.add_argument("--profile", action="store_true",
                       help="always show where the time goes (otherwise only when wall/D misses the goal)")
    group = parser.add_argument_group("candidates, revoke and list")
    group.add_argument("--rows", type=int, default=1_000_000, help="requests in the table (default 1,000,000)")
    group.add_argument("--repeat", type=int, default=5, help="candidates: timed repetitions (default 5)")
    group.add_argument("--list-repeat", type=int, default=30, help="list: timed requests per case (default 30)")
    group.add_argument("--revoke-repeat", type=int, default=3,
                       help="revoke: timed runs per approach, each on a fresh copy (default 3)")
    group.add_argument("--expired", type=int, nargs="+", default=[10_000, 100_000],
                       help="revoke: expired Active requests, one run per size; the ratio is judged on "
                            "each, memory flatness between the first and last (default 10000 100000)")
    group = parser.add_argument_group("body")
    group.add_argument("--body-mb", type=int, default=300, help="body posted to the local host, MB (default 300)")
    args = parser.parse_args(argv)
    if min(args.n, args.rows, args.repeat, args.revoke_repeat, args.list_repeat, args.body_mb) < 1 or args.delay <= 0:
        parser.error("--n, --delay, --rows, --repeat, --revoke-repeat, --list-repeat and --body-mb must be positive")
    if any(not 0 < e <= args.rows for e in args.expired):
        parser.error("--expired sizes must be between 1 and --rows")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(level=logging.WARNING)  # the job's INFO lines would drown the figures
    chosen = BENCHMARKS if args.which == "all" else (args.which,)
    for name in chosen:
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as scratch:
            directory = Path(scratch)
            if name == "notify":
                notify.run(directory, n=args.n, delay=args.delay, profile=args.profile)
            elif name == "body":
                body.run(directory, body_mb=args.body_mb)
            elif name == "runs":
                runs.run(directory, n=args.n, delay=args.delay)
            elif name == "list":
                request_list.run(directory, rows=args.rows, repeat=args.list_repeat)
            elif name == "candidates":
                candidates.run(directory, rows=args.rows, repeat=args.repeat)
            else:
                revoke.run(directory, rows=args.rows, expired_sizes=tuple(sorted(args.expired)),
                           repeat=args.revoke_repeat)
        print(f"  ({name} took {time.perf_counter() - started:.0f}s in all)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
