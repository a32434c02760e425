-- RECOMMENDED, NOT APPLIED BY THE MIGRATIONS: the platform tables belong to their owners.
-- With these, the notification candidate query and the revoke job seek on (Status, expiry)
-- instead of scanning. Review with the table owners (column names per the platform mapping
-- settings), then run by hand.
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'IX_DataAccessDeltaRequests_Status_Expires_On'
      AND object_id = OBJECT_ID(N'dbo.DataAccessDeltaRequests')
)
    CREATE INDEX IX_DataAccessDeltaRequests_Status_Expires_On
        ON dbo.DataAccessDeltaRequests (Status, Expires_On) INCLUDE (requested_by_email);
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'IX_DataAccessPalantirRequests_Status_ExpiresOn'
      AND object_id = OBJECT_ID(N'dbo.DataAccessPalantirRequests')
)
    CREATE INDEX IX_DataAccessPalantirRequests_Status_ExpiresOn
        ON dbo.DataAccessPalantirRequests (Status, ExpiresOn) INCLUDE (RequestedByEmail);
GO
