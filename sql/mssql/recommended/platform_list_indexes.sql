-- RECOMMENDED, NOT APPLIED BY THE MIGRATIONS: the platform tables belong to their owners.
-- With these, the All Requests list's sorts and keyset pages (DESIGN section 6, R2) seek and read
-- one page in order instead of sorting the table, and the create's duplicate-number probe
-- (UPDLOCK, HOLDLOCK) locks one key range instead of the whole table. Each nonclustered index
-- carries the clustered key, the list's tie-break. Review with the table owners (column names per
-- the platform mapping settings; no creation column: skip those), then run by hand.
-- Not indexed: the number sort orders by COALESCE(number, ''), which only a computed column could
-- index (a change to the owners' table); the `q` substring search reads every row whatever the index.
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_DataAccessDeltaRequests_created_at'
               AND object_id = OBJECT_ID(N'dbo.DataAccessDeltaRequests'))
    CREATE INDEX IX_DataAccessDeltaRequests_created_at ON dbo.DataAccessDeltaRequests (created_at);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_DataAccessDeltaRequests_Expires_On'
               AND object_id = OBJECT_ID(N'dbo.DataAccessDeltaRequests'))
    CREATE INDEX IX_DataAccessDeltaRequests_Expires_On ON dbo.DataAccessDeltaRequests (Expires_On);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_DataAccessDeltaRequests_request_number'
               AND object_id = OBJECT_ID(N'dbo.DataAccessDeltaRequests'))
    CREATE INDEX IX_DataAccessDeltaRequests_request_number ON dbo.DataAccessDeltaRequests (request_number);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_DataAccessPalantirRequests_created_at'
               AND object_id = OBJECT_ID(N'dbo.DataAccessPalantirRequests'))
    CREATE INDEX IX_DataAccessPalantirRequests_created_at ON dbo.DataAccessPalantirRequests (created_at);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_DataAccessPalantirRequests_ExpiresOn'
               AND object_id = OBJECT_ID(N'dbo.DataAccessPalantirRequests'))
    CREATE INDEX IX_DataAccessPalantirRequests_ExpiresOn ON dbo.DataAccessPalantirRequests (ExpiresOn);
GO
