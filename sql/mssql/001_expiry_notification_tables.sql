-- Expiry reminders sent per platform (SPEC-3 tables 3 and 4) plus Notification_Type (DESIGN (+)).
-- Idempotent: safe to run again; creates nothing that exists.
-- The parent tables DataAccessDeltaRequests / DataAccessPalantirRequests already exist in production.
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

IF OBJECT_ID(N'dbo.ExpiryNotification_Databricks', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.ExpiryNotification_Databricks (
        Id                   INT IDENTITY(1, 1) NOT NULL,
        DeltaRequestId       INT                NOT NULL,
        Notification_Sent_Dt DATETIME           NOT NULL,
        Notification_Sent_To VARCHAR(320)       NOT NULL,
        Notification_Sent_By VARCHAR(100)       NOT NULL,
        Notification_Type    VARCHAR(50)        NOT NULL,
        CONSTRAINT PK_ExpiryNotification_Databricks PRIMARY KEY (Id),
        CONSTRAINT FK_ExpiryNotification_Databricks_DeltaRequest
            FOREIGN KEY (DeltaRequestId) REFERENCES dbo.DataAccessDeltaRequests (id),
        CONSTRAINT CK_ExpiryNotification_Databricks_Type
            CHECK (Notification_Type IN ('30-Day Reminder', '7-Day Reminder'))
    );
END;
GO

-- At most one reminder of each kind per request, even when two senders race. Its leading column
-- also serves as the foreign key's index.
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'UX_ExpiryNotification_Databricks_Request_Type'
      AND object_id = OBJECT_ID(N'dbo.ExpiryNotification_Databricks')
)
    CREATE UNIQUE INDEX UX_ExpiryNotification_Databricks_Request_Type
        ON dbo.ExpiryNotification_Databricks (DeltaRequestId, Notification_Type);
GO

IF OBJECT_ID(N'dbo.ExpiryNotification_Palantir', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.ExpiryNotification_Palantir (
        Id                   INT IDENTITY(1, 1) NOT NULL,
        PalantirRequestId    UNIQUEIDENTIFIER   NOT NULL,
        Notification_Sent_Dt DATETIME           NOT NULL,
        Notification_Sent_To VARCHAR(320)       NOT NULL,
        Notification_Sent_By VARCHAR(100)       NOT NULL,
        Notification_Type    VARCHAR(50)        NOT NULL,
        CONSTRAINT PK_ExpiryNotification_Palantir PRIMARY KEY (Id),
        CONSTRAINT FK_ExpiryNotification_Palantir_PalantirRequest
            FOREIGN KEY (PalantirRequestId) REFERENCES dbo.DataAccessPalantirRequests (RequestId),
        CONSTRAINT CK_ExpiryNotification_Palantir_Type
            CHECK (Notification_Type IN ('30-Day Reminder', '7-Day Reminder'))
    );
END;
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'UX_ExpiryNotification_Palantir_Request_Type'
      AND object_id = OBJECT_ID(N'dbo.ExpiryNotification_Palantir')
)
    CREATE UNIQUE INDEX UX_ExpiryNotification_Palantir_Request_Type
        ON dbo.ExpiryNotification_Palantir (PalantirRequestId, Notification_Type);
GO
