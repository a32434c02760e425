"""The score per module of the last `mutmut run` (make mutate): killed / non-logging mutants.

A mutant that only changes a log call (its message, arguments or `exc_info`) cannot be told apart
by the tests, which do not read the logs, and is not a bug: such mutants are left out of the score.
A mutant counts as a logging one when its function, with every `log.<level>(...)` statement (and
every `if` that only logs) taken out, is the same syntax tree as the original function with them
taken out. A timeout (the mutant
made a test hang past mutmut's limit) counts as killed; "no tests" (no selected test reaches the
function) counts as survived. A mutant whose forked test run crashed (mutmut's "segfault": the fork
of a process with worker threads can die where a fresh one raises) is run again, once, in a fresh
interpreter with the selected tests, and counts as killed only if they fail there.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

GOAL = 0.95
MUTANTS = Path("mutants")
MODULES = ["shared/joblock.py", "shared/jobs/locked_run.py", "shared/jobs/notifications.py",
           "shared/jobs/revoke.py"]
KILLED = {1, 3, 24, 36, 152, 255, -24}  # test failure, pytest internal error, or timeout (mutmut's codes)
CRASHED = {-11, -9}  # mutmut's "segfault"
MUTANT_NAME = re.compile(r"^(?P<function>.+)__mutmut_(?P<which>orig|\d+)$")


class _WithoutLogCalls(ast.NodeTransformer):
    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        call = node.value
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name) and call.func.value.id == "log"):
            return ast.Pass()
        return node

    def visit_If(self, node: ast.If) -> ast.AST:
        """A branch that only logs is logging too (its condition decides nothing else)."""
        self.generic_visit(node)
        if all(isinstance(statement, ast.Pass) for statement in [*node.body, *node.orelse]):
            return ast.Pass()
        return node


def _shape(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The function as a tree, without its name or its log statements."""
    copy = ast.parse(ast.unparse(function)).body[0]
    assert isinstance(copy, ast.FunctionDef | ast.AsyncFunctionDef)
    copy.name = ""
    return ast.dump(_WithoutLogCalls().visit(copy))


def logging_only(module: Path) -> set[str]:
    """Names (function__mutmut_N) of the mutants in `module` that change log calls only."""
    functions = {node.name: node for node in ast.walk(ast.parse(module.read_text()))
                 if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and MUTANT_NAME.match(node.name)}
    originals = {MUTANT_NAME.match(name)["function"]: _shape(node)  # type: ignore[index]
                 for name, node in functions.items() if name.endswith("__mutmut_orig")}
    found = set()
    for name, node in functions.items():
        match = MUTANT_NAME.match(name)
        assert match is not None
        if match["which"] != "orig" and _shape(node) == originals[match["function"]]:
            found.add(name)
    return found


def killed_in_a_fresh_run(key: str) -> bool:
    """The selected tests, run in mutants/ with `key` switched on (mutmut's MUTANT_UNDER_TEST)."""
    mutmut = tomllib.loads(Path("pyproject.toml").read_text())["tool"]["mutmut"]
    selection = mutmut["pytest_add_cli_args_test_selection"]
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *selection]
    quiet = subprocess.DEVNULL
    run = subprocess.run(command, cwd=MUTANTS, env={**os.environ, "MUTANT_UNDER_TEST": key},  # noqa: S603
                         stdout=quiet, stderr=quiet, timeout=600, check=False)
    return run.returncode == 1


def main() -> int:
    below_goal = []
    for path in MODULES:
        exit_codes: dict[str, int | None] = json.loads((MUTANTS / f"{path}.meta").read_text())["exit_code_by_key"]
        logging = logging_only(MUTANTS / path)
        scored = {key: code for key, code in exit_codes.items() if key.rsplit(".", 1)[1] not in logging}
        unchecked = [key for key, code in scored.items() if code is None]
        if unchecked:
            sys.exit(f"{path}: {len(unchecked)} mutants were not run (interrupted?): run `make mutate` again")
        crashed = [key for key, code in scored.items() if code in CRASHED]
        rerun_killed = {key for key in crashed if killed_in_a_fresh_run(key)}
        survivors = sorted((key for key, code in scored.items() if code not in KILLED and key not in rerun_killed),
                           key=lambda key: (key.rsplit("__mutmut_", 1)[0], int(key.rsplit("_", 1)[1])))
        killed = len(scored) - len(survivors)
        score = killed / len(scored) if scored else 1.0
        print(f"{path}: {killed}/{len(scored)} non-logging mutants killed, {score:.1%} "
              f"({len(exit_codes) - len(scored)} logging-only mutants left out"
              + (f"; {len(rerun_killed)} of {len(crashed)} crashed runs killed when run again" if crashed else "")
              + ")")
        for key in survivors:
            print(f"    survived: {key}   (mutmut show {key})")
        if score < GOAL:
            below_goal.append(path)
    if below_goal:
        print(f"Below the goal of {GOAL:.0%} killed: {', '.join(below_goal)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
