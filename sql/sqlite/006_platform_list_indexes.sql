-- The list's sorts and keyset pages (DESIGN section 6, R2) walk these instead of sorting the table.
-- On SQLite the platform tables are always the service's own stand-ins (000), so it indexes them;
-- on SQL Server the tables belong to the platforms, and the same indexes are only recommended
-- (sql/mssql/recommended/platform_list_indexes.sql).
-- The Databricks key is the rowid, which every index carries in order. The Palantir key is not
-- (its table has a rowid of its own), so its indexes name the key for the tie-break.
-- The number sorts as COALESCE(number, '') (a missing one as ''): an index on that expression.
-- The NOCASE index serves the create's duplicate-number probe (= ? COLLATE NOCASE).
CREATE INDEX IF NOT EXISTS IX_DataAccessDeltaRequests_created_at
    ON DataAccessDeltaRequests (created_at);
CREATE INDEX IF NOT EXISTS IX_DataAccessDeltaRequests_Expires_On
    ON DataAccessDeltaRequests (Expires_On);
CREATE INDEX IF NOT EXISTS IX_DataAccessDeltaRequests_number_sort
    ON DataAccessDeltaRequests (COALESCE(request_number, ''));
CREATE INDEX IF NOT EXISTS IX_DataAccessDeltaRequests_request_number_nocase
    ON DataAccessDeltaRequests (request_number COLLATE NOCASE);

CREATE INDEX IF NOT EXISTS IX_DataAccessPalantirRequests_created_at
    ON DataAccessPalantirRequests (created_at, RequestId);
CREATE INDEX IF NOT EXISTS IX_DataAccessPalantirRequests_ExpiresOn
    ON DataAccessPalantirRequests (ExpiresOn, RequestId);
CREATE INDEX IF NOT EXISTS IX_DataAccessPalantirRequests_number_sort
    ON DataAccessPalantirRequests (COALESCE(ProjectId, ''), RequestId);
