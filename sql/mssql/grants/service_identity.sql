-- Least privilege for the Function App's managed identity (DESIGN section 8, R2). Idempotent: run it
-- after every migration (the azd postprovision hook does). Run as an Entra admin of the server, with
-- sqlcmd variables:
--   ServiceIdentityName   the user-assigned identity's name (azd output SERVICE_IDENTITY_NAME)
--   PalantirExpiryColumn  the Palantir expiry column (PALANTIR_EXPIRY_COLUMN, default ExpiresOn)
-- It grants exactly what shared/queries/mssql.py uses, table by table; no role membership at all
-- (no db_owner, no db_ddladmin): the migrations run as the deploying user, never as the app.
-- Not in sql/mssql/ itself: the migrator applies only that folder's scripts, and these need variables.
SET NOCOUNT ON;

IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = N'$(ServiceIdentityName)')
    CREATE USER [$(ServiceIdentityName)] FROM EXTERNAL PROVIDER;

-- The lock and run history: acquire, reclaim, heartbeat, complete, fail, list.
GRANT SELECT, INSERT, UPDATE ON OBJECT::dbo.JobRun TO [$(ServiceIdentityName)];
-- Each run's outcomes (JobRunItem): written as the run goes, read for GET /{p}/jobs/{jobId}.
GRANT SELECT, INSERT ON OBJECT::dbo.JobRunItem TO [$(ServiceIdentityName)];
-- Reminder claims: take (insert or update an expired claim) and release (delete its own).
GRANT SELECT, INSERT, UPDATE, DELETE ON OBJECT::dbo.NotificationClaim TO [$(ServiceIdentityName)];
-- Reminders and revocations are only ever added and read.
GRANT SELECT, INSERT ON OBJECT::dbo.ExpiryNotification_Databricks TO [$(ServiceIdentityName)];
GRANT SELECT, INSERT ON OBJECT::dbo.ExpiryNotification_Palantir TO [$(ServiceIdentityName)];
GRANT SELECT, INSERT ON OBJECT::dbo.RevokedAccess_Databricks TO [$(ServiceIdentityName)];
GRANT SELECT, INSERT ON OBJECT::dbo.RevokedAccess_Palantir TO [$(ServiceIdentityName)];
-- /api/health compares the applied migrations with the code's.
GRANT SELECT ON OBJECT::dbo.SchemaMigrations TO [$(ServiceIdentityName)];

-- The platform tables: read, create requests (POST /{p}/access-requests), and change only the
-- status (revocation) and the expiry (approved extensions) columns.
GRANT SELECT, INSERT ON OBJECT::dbo.DataAccessDeltaRequests TO [$(ServiceIdentityName)];
GRANT UPDATE (Status, Expires_On) ON OBJECT::dbo.DataAccessDeltaRequests TO [$(ServiceIdentityName)];
GRANT SELECT, INSERT ON OBJECT::dbo.DataAccessPalantirRequests TO [$(ServiceIdentityName)];
GRANT UPDATE (Status, $(PalantirExpiryColumn)) ON OBJECT::dbo.DataAccessPalantirRequests
    TO [$(ServiceIdentityName)];
