#!/usr/bin/env bash
# azd postprovision hook: migrate the database, then grant the app's identity what it uses.
# Runs as the signed-in deploying user (the SQL server's Entra admin); the app never gets DDL rights.
# Needs: the az CLI (signed in), Python 3.11 with requirements.txt installed (ODBC Driver 18), and
# go-sqlcmd (`sqlcmd` with --authentication-method). azd passes the Bicep outputs as variables.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${AZURE_SQL_SERVER_FQDN:?}" "${AZURE_SQL_SERVER_NAME:?}" "${AZURE_SQL_DATABASE:?}"
: "${AZURE_RESOURCE_GROUP:?}" "${SERVICE_IDENTITY_NAME:?}"

# The server admits Azure services only; let this machine in for the duration of the hook.
my_ip="$(curl -fsS https://api.ipify.org)"
rule="azd-postprovision-$$"
az sql server firewall-rule create -g "$AZURE_RESOURCE_GROUP" -s "$AZURE_SQL_SERVER_NAME" -n "$rule" \
  --start-ip-address "$my_ip" --end-ip-address "$my_ip" >/dev/null
trap 'az sql server firewall-rule delete -g "$AZURE_RESOURCE_GROUP" -s "$AZURE_SQL_SERVER_NAME" -n "$rule" >/dev/null' EXIT

# shared.migrate with the deploying user's own Entra token (ActiveDirectoryDefault: the az login).
DB_BACKEND=mssql \
SQL_CONNECTION_STRING="Driver={ODBC Driver 18 for SQL Server};Server=tcp:${AZURE_SQL_SERVER_FQDN},1433;Database=${AZURE_SQL_DATABASE};Encrypt=yes;TrustServerCertificate=no;Authentication=ActiveDirectoryDefault" \
  python -m shared.migrate

sqlcmd --server "tcp:${AZURE_SQL_SERVER_FQDN},1433" --database-name "$AZURE_SQL_DATABASE" \
  --authentication-method ActiveDirectoryDefault --exit-on-error \
  --variables "ServiceIdentityName=${SERVICE_IDENTITY_NAME}" \
  "PalantirExpiryColumn=${PALANTIR_EXPIRY_COLUMN:-ExpiresOn}" \
  --input-file sql/mssql/grants/service_identity.sql
