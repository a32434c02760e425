"""Fuzzing: schemathesis generates requests from /api/openapi.json against a running host.
No response may be a 500, and every response must match the document (status, content type,
headers, body). Also pins that the document accepts what the API accepts, and vice versa."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hosts import Hosts
from tests.http_support import principal

MAX_EXAMPLES = 40
SEED = 20261122  # fixed: CI runs the same cases every time; change it to explore further
# Outside test mode a create whose expiresOn has passed is 400: "after now" is a rule no schema can
# state, so only there, only for that operation, 400 counts as an expected answer to valid data.
# (The default expected statuses, plus 400.)
PAST_EXPIRY_IS_400 = """
[[operations]]
include-name = "POST /api/{platform}/access-requests"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
"""
# A list cursor is valid only as the API gave it (its checksum is a rule no schema can state), so for
# the list, likewise, 400 counts as an expected answer to valid data.
CURSOR_IS_400 = PAST_EXPIRY_IS_400.replace("POST /api/{platform}/access-requests",
                                           "GET /api/{platform}/access-requests")


@pytest.mark.parametrize("test_simulation", ["true", "false"])
def test_fuzzing_the_openapi_document_finds_no_server_error_and_no_schema_violation(
    hosts: Hosts, test_simulation: str, tmp_path: Path
) -> None:
    # The document differs with the mode (test-only inputs are offered only in test mode): each
    # must accept what it offers.
    host = hosts.start(AUTH_MODE="swa", ALLOW_TEST_SIMULATION=test_simulation)
    schemathesis = Path(sys.executable).parent / "schemathesis"
    config = tmp_path / "schemathesis.toml"
    overrides = CURSOR_IS_400 + (PAST_EXPIRY_IS_400 if test_simulation == "false" else "")
    config.write_text("".join(overrides.replace("{platform}", p) for p in ("databricks", "palantir")))

    run = subprocess.run(
        [str(schemathesis), "--config-file", str(config), "run", host.url("/api/openapi.json"), "--checks", "all",
         "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED), "--no-color",
         "-H", f"x-ms-client-principal: {principal('access-admin')}"],
        capture_output=True, text=True, timeout=600, check=False,
    )

    output = run.stdout + run.stderr
    cases = re.search(r"(\d+) generated", output)
    print(f"\nschemathesis (test simulation {test_simulation}): {cases.group(0) if cases else 'no count'} over "
          f"{len(re.findall(r'^  (GET|POST) ', output, re.M)) or 'all'} operations, seed {SEED}")
    assert run.returncode == 0, output[-6000:]
    assert cases is not None and int(cases.group(1)) > 100
