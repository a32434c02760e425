-- Revocations per platform: the SQLite twin of sql/mssql/002. Idempotent.
CREATE TABLE IF NOT EXISTS RevokedAccess_Databricks (
    Id             INTEGER PRIMARY KEY AUTOINCREMENT,
    DeltaRequestId INTEGER      NOT NULL REFERENCES DataAccessDeltaRequests (id),
    Revoked_Dt     DATETIME     NOT NULL,
    Revoked_By     VARCHAR(100) NOT NULL
);
CREATE INDEX IF NOT EXISTS IX_RevokedAccess_Databricks_DeltaRequestId
    ON RevokedAccess_Databricks (DeltaRequestId);

CREATE TABLE IF NOT EXISTS RevokedAccess_Palantir (
    Id                INTEGER PRIMARY KEY AUTOINCREMENT,
    PalantirRequestId VARCHAR(36)  NOT NULL REFERENCES DataAccessPalantirRequests (RequestId),
    Revoked_Dt        DATETIME     NOT NULL,
    Revoked_By        VARCHAR(100) NOT NULL
);
CREATE INDEX IF NOT EXISTS IX_RevokedAccess_Palantir_PalantirRequestId
    ON RevokedAccess_Palantir (PalantirRequestId);
