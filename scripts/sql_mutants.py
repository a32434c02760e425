"""Hand-made semantic mutants of the SQLite statements, run by `make mutate`.

mutmut's own mutations of SQL text (a changed string) break the statement and are killed by
any test; these change what a statement *means* and keep it valid. Each mutant replaces one exact
substring of one statement in shared/queries/sqlite.py (the statements that run here; the T-SQL
ones are only rendered and parsed) and runs the tests of its group; a mutant is killed when they fail.
A substring that is not found exactly once stops the script before anything runs: update the list
when a statement changes.

    python scripts/sql_mutants.py            # all mutants, then the score
    python scripts/sql_mutants.py --one N    # (internal) the tests with mutant N applied
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
GOAL = 0.95
FAST_LOCK_FAULTS = ["tests/test_lock_faults.py", "-k",
                    "not long_write_on_another_server and not waiting_on_another_writer"]
# Which tests each group of statements runs against: the fast in-process tests that use them.
TESTS: dict[str, list[str]] = {
    "lock": ["tests/test_joblock.py", "tests/test_revoke_job.py", *FAST_LOCK_FAULTS],
    "claims": ["tests/test_notification_job.py"],
    "revoke": ["tests/test_revoke_job.py", "tests/test_db_transactions.py"],
}


class Mutant(NamedTuple):
    statement: str
    dialect: str  # only "sqlite" runs here
    find: str  # must occur exactly once in the statement
    replace: str
    tests: str  # a key of TESTS
    why: str  # the bug it stands for


NOT_IN_PROGRESS = "AND Status = 'InProgress'"
MUTANTS: list[Mutant] = [
    Mutant("lock.reclaim_stale", "sqlite", f" {NOT_IN_PROGRESS}", "", "lock",
           "reclaim rewrites an old Completed run as Failed"),
    Mutant("lock.reclaim_stale", "sqlite", "WHERE Job_Type = ?", "WHERE ? IS NOT NULL", "lock",
           "reclaim takes the expired lease of another job type"),
    Mutant("lock.reclaim_stale", "sqlite", "COALESCE(Lock_Until, ", "COALESCE(NULL, ", "lock",
           "reclaim ignores heartbeats"),
    Mutant("lock.reclaim_stale", "sqlite", "<= strftime", "> strftime", "lock",
           "reclaim takes live leases"),
    Mutant("lock.reclaim_stale", "sqlite", "|| Started_By", "|| 'someone'", "lock",
           "the reclaimed run's message does not say who held it"),
    Mutant("lock.insert_if_free", "sqlite", NOT_IN_PROGRESS, "", "lock",
           "a finished run keeps the lock"),
    Mutant("lock.insert_if_free", "sqlite", "WHERE Job_Type = ? AND", "WHERE ? IS NOT NULL AND", "lock",
           "one job type's run blocks the others"),
    Mutant("lock.insert_if_free", "sqlite", "? || ' seconds'", "(? * 0) || ' seconds'", "lock",
           "the lease ends as it starts"),
    Mutant("lock.heartbeat", "sqlite", f" {NOT_IN_PROGRESS}", "", "lock",
           "a reclaimed run's heartbeat still succeeds"),
    Mutant("lock.heartbeat", "sqlite", "? || ' seconds'", "(? * 0) || ' seconds'", "lock",
           "the heartbeat does not push the lease ahead"),
    Mutant("lock.complete", "sqlite", f" {NOT_IN_PROGRESS}", "", "lock",
           "a run that lost its lock overwrites the successor's outcome"),
    Mutant("lock.complete", "sqlite", "Processed_Count = ?, Failed_Count = ?",
           "Failed_Count = ?, Processed_Count = ?", "lock", "counts swapped"),
    Mutant("lock.complete", "sqlite", "'Completed'", "'InProgress'", "lock", "completion keeps the lock"),
    Mutant("lock.fail", "sqlite", f" {NOT_IN_PROGRESS}", "", "lock",
           "a run that lost its lock marks the successor's row Failed"),
    Mutant("lock.fail", "sqlite", "Processed_Count = ?, Failed_Count = ?",
           "Failed_Count = ?, Processed_Count = ?", "lock", "counts swapped"),
    Mutant("lock.active_job", "sqlite", f" {NOT_IN_PROGRESS}", "", "lock",
           "a finished run is reported as active"),
    Mutant("lock.active_job", "sqlite", "> strftime", "<= strftime", "lock",
           "an expired lease is reported as active, a live one not"),
    Mutant("lock.active_job", "sqlite", "WHERE Job_Type = ?", "WHERE ? IS NOT NULL", "lock",
           "another job type's run is reported as active"),
    Mutant("claims.take", "sqlite", " WHERE NotificationClaim.Claimed_Until <= strftime('%Y-%m-%d %H:%M:%f', 'now')",
           "", "claims", "a live claim of another run is taken over"),
    Mutant("claims.take", "sqlite", "AND n.Notification_Type = ?", "AND ? IS NOT NULL", "claims",
           "any earlier reminder blocks the 7-day one"),
    Mutant("claims.release", "sqlite", "AND Job_Id = ?", "AND ? IS NOT NULL", "claims",
           "a run releases another run's claim"),
    Mutant("requests.notification_candidates", "sqlite", "'+31 days'", "'+32 days'", "claims",
           "a request 31 days from expiry is reminded"),
    Mutant("requests.notification_candidates", "sqlite", "julianday(date('now'))", "julianday('now')",
           "claims", "days left counted in 24-hour periods, not calendar days"),
    Mutant("revoke.insert_revocations", "sqlite", "u.{expires} <= ?", "u.{expires} < ?", "revoke",
           "a request expiring exactly at the cutoff gets no revocation row"),
    Mutant("revoke.insert_revocations", "sqlite", "u.{status} = ?", "? IS NOT NULL", "revoke",
           "an already revoked request is revoked again"),
    Mutant("revoke.mark_revoked", "sqlite", "{expires} <= ?", "{expires} < ?", "revoke",
           "a request expiring exactly at the cutoff stays Active"),
    Mutant("revoke.mark_revoked", "sqlite", "WHERE {status} = ?", "WHERE ? IS NOT NULL", "revoke",
           "requests of any status are marked revoked"),
]


def statements() -> dict[str, str]:
    sys.path.insert(0, str(REPO))
    from shared.queries import sqlite

    return sqlite.STATEMENTS


def check(mutants: list[Mutant]) -> None:
    """Fail loudly, before running anything, on a mutant that no longer matches its statement."""
    current = statements()
    problems = []
    for n, m in enumerate(mutants):
        if m.dialect != "sqlite":
            problems.append(f"#{n} {m.statement}: dialect {m.dialect!r}: only the SQLite statements run here")
        elif m.statement not in current:
            problems.append(f"#{n} {m.statement}: no such statement")
        elif (count := current[m.statement].count(m.find)) != 1:
            problems.append(f"#{n} {m.statement}: {m.find!r} found {count} times, expected exactly once")
        elif m.tests not in TESTS:
            problems.append(f"#{n} {m.statement}: unknown test group {m.tests!r}")
    if problems:
        sys.exit("SQL mutants out of date with shared/queries/sqlite.py:\n  " + "\n  ".join(problems))


def run_one(index: int) -> int:
    """In a fresh interpreter: apply one mutant to the statement table, then run its tests."""
    import pytest

    mutant = MUTANTS[index]
    table = statements()
    table[mutant.statement] = table[mutant.statement].replace(mutant.find, mutant.replace)
    return int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", *TESTS[mutant.tests]]))


def pytest_child(args: list[str]) -> int:
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    quiet = subprocess.DEVNULL
    # this interpreter running this script: no untrusted input
    return subprocess.run(command, cwd=REPO, stdout=quiet, stderr=quiet, timeout=600, check=False).returncode  # noqa: S603


def main() -> int:
    check(MUTANTS)
    for group in TESTS:  # the tests must pass unmutated, or every mutant looks killed
        if pytest_child(["--clean", group]) != 0:
            sys.exit(f"SQL mutants: the {group!r} tests fail without any mutant: {' '.join(TESTS[group])}")
    started = time.monotonic()
    survivors = []
    for n, mutant in enumerate(MUTANTS):
        code = pytest_child(["--one", str(n)])
        if code not in (0, 1):
            sys.exit(f"SQL mutant #{n} {mutant.statement}: pytest exited {code} (not a test failure)")
        print(f"  #{n:2} {'killed  ' if code else 'SURVIVED'} {mutant.statement}: {mutant.why}", flush=True)
        if code == 0:
            survivors.append(n)
    killed = len(MUTANTS) - len(survivors)
    score = killed / len(MUTANTS)
    print(f"SQL (hand-made mutants of shared/queries/sqlite.py): {killed}/{len(MUTANTS)} killed, {score:.0%}"
          f" ({time.monotonic() - started:.0f} s)")
    return 0 if score >= GOAL else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        sys.exit(run_one(int(sys.argv[2])))
    if sys.argv[1:2] == ["--clean"]:
        import pytest

        sys.exit(int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", *TESTS[sys.argv[2]]])))
    sys.exit(main())
