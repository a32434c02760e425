-- Revocations per platform (SPEC-3 tables 5 and 6). Idempotent.
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

IF OBJECT_ID(N'dbo.RevokedAccess_Databricks', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.RevokedAccess_Databricks (
        Id             INT IDENTITY(1, 1) NOT NULL,
        DeltaRequestId INT                NOT NULL,
        Revoked_Dt     DATETIME           NOT NULL,
        Revoked_By     VARCHAR(100)       NOT NULL,
        CONSTRAINT PK_RevokedAccess_Databricks PRIMARY KEY (Id),
        CONSTRAINT FK_RevokedAccess_Databricks_DeltaRequest
            FOREIGN KEY (DeltaRequestId) REFERENCES dbo.DataAccessDeltaRequests (id)
    );
END;
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'IX_RevokedAccess_Databricks_DeltaRequestId'
      AND object_id = OBJECT_ID(N'dbo.RevokedAccess_Databricks')
)
    CREATE INDEX IX_RevokedAccess_Databricks_DeltaRequestId
        ON dbo.RevokedAccess_Databricks (DeltaRequestId) INCLUDE (Revoked_Dt, Revoked_By);
GO

IF OBJECT_ID(N'dbo.RevokedAccess_Palantir', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.RevokedAccess_Palantir (
        Id                INT IDENTITY(1, 1) NOT NULL,
        PalantirRequestId UNIQUEIDENTIFIER   NOT NULL,
        Revoked_Dt        DATETIME           NOT NULL,
        Revoked_By        VARCHAR(100)       NOT NULL,
        CONSTRAINT PK_RevokedAccess_Palantir PRIMARY KEY (Id),
        CONSTRAINT FK_RevokedAccess_Palantir_PalantirRequest
            FOREIGN KEY (PalantirRequestId) REFERENCES dbo.DataAccessPalantirRequests (RequestId)
    );
END;
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'IX_RevokedAccess_Palantir_PalantirRequestId'
      AND object_id = OBJECT_ID(N'dbo.RevokedAccess_Palantir')
)
    CREATE INDEX IX_RevokedAccess_Palantir_PalantirRequestId
        ON dbo.RevokedAccess_Palantir (PalantirRequestId) INCLUDE (Revoked_Dt, Revoked_By);
GO
