"""Write the Static Web App's configuration for one tenant: the tenant id into Entra's issuer.

    python -m shared.swa_config [OUTPUT]   (default: static-web/dist/staticwebapp.config.json)

staticwebapp.config.json cannot read app settings in `openIdIssuer`, so the checked-in file names
the tenant as `<AZURE_TENANT_ID>` (which SWA refuses as an issuer: an unrendered file signs nobody
in) and deploying writes this rendering of it next to the built front end, from AZURE_TENANT_ID.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shared.local_settings import apply_local_settings
from shared.settings import Settings, SettingsError, load_settings

STATIC_WEB = Path(__file__).resolve().parent.parent / "static-web"
TEMPLATE = STATIC_WEB / "staticwebapp.config.json"
TENANT_PLACEHOLDER = "<AZURE_TENANT_ID>"


def render_swa_config(settings: Settings, template: str) -> str:
    if not settings.azure_tenant_id:
        raise SettingsError("AZURE_TENANT_ID: required to write the Static Web App's configuration")
    if template.count(TENANT_PLACEHOLDER) != 1:
        raise ValueError(f"the template must name {TENANT_PLACEHOLDER} exactly once (in openIdIssuer)")
    return template.replace(TENANT_PLACEHOLDER, settings.azure_tenant_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.swa_config", description=__doc__)
    parser.add_argument("output", nargs="?", type=Path, default=STATIC_WEB / "dist" / TEMPLATE.name)
    args = parser.parse_args(argv)
    apply_local_settings()
    try:
        rendered = render_swa_config(load_settings(), TEMPLATE.read_text(encoding="utf-8"))
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(rendered, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
