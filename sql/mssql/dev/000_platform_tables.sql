-- !!! LOCAL / TEST SQL SERVER ONLY. NEVER RUN IN PRODUCTION. !!!
-- In production these two tables already exist, owned by the access-request platforms, with more
-- columns than these. This script creates stand-ins with the columns the service uses, so a local
-- SQL Server can run the migrations (`python -m shared.migrate --dev-platform-tables`).
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

IF OBJECT_ID(N'dbo.DataAccessDeltaRequests', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.DataAccessDeltaRequests (
        id                 INT IDENTITY(1, 1) NOT NULL,
        request_number     VARCHAR(50)        NULL,
        request_type       VARCHAR(50)        NULL,
        requested_by_ad_id VARCHAR(100)       NULL,
        requested_by_email VARCHAR(320)       NOT NULL,
        requested_by       VARCHAR(200)       NULL,
        Status             VARCHAR(20)        NOT NULL,
        Expires_On         DATETIME           NOT NULL,
        created_at         DATETIME           NOT NULL
            CONSTRAINT DF_DataAccessDeltaRequests_created_at DEFAULT (SYSUTCDATETIME()),
        CONSTRAINT PK_DataAccessDeltaRequests PRIMARY KEY (id)
    );
    CREATE INDEX IX_DataAccessDeltaRequests_Status_Expires_On
        ON dbo.DataAccessDeltaRequests (Status, Expires_On);
END;
GO

IF OBJECT_ID(N'dbo.DataAccessPalantirRequests', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.DataAccessPalantirRequests (
        RequestId        UNIQUEIDENTIFIER NOT NULL,
        ProjectId        VARCHAR(100)     NOT NULL,
        ProjectRid       VARCHAR(200)     NULL,
        RequestType      VARCHAR(50)      NULL,
        Status           VARCHAR(20)      NOT NULL,
        Justification    VARCHAR(1000)    NULL,
        RequestedByEmail VARCHAR(320)     NOT NULL,
        ExpiresOn        DATETIME         NOT NULL,
        created_at       DATETIME         NOT NULL
            CONSTRAINT DF_DataAccessPalantirRequests_created_at DEFAULT (SYSUTCDATETIME()),
        CONSTRAINT PK_DataAccessPalantirRequests PRIMARY KEY (RequestId)
    );
    CREATE INDEX IX_DataAccessPalantirRequests_Status_ExpiresOn
        ON dbo.DataAccessPalantirRequests (Status, ExpiresOn);
END;
GO
