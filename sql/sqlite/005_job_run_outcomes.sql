-- Runs that outlive HTTP requests (DESIGN section 3, R2): the SQLite twin of sql/mssql/005.
-- Applied once, in the migration's own transaction with its record (SQLite's ALTER TABLE has no
-- IF NOT EXISTS).
ALTER TABLE JobRun ADD COLUMN Requested_By VARCHAR(256) NULL;

CREATE TABLE IF NOT EXISTS JobRunItem (
    Id          INTEGER PRIMARY KEY AUTOINCREMENT,
    Job_Id      VARCHAR(36)  NOT NULL,
    Request_Key VARCHAR(64)  NOT NULL,
    Email       VARCHAR(320) NULL,
    Action      VARCHAR(50)  NOT NULL,
    Outcome     VARCHAR(20)  NOT NULL CHECK (Outcome IN ('Sent', 'Failed', 'Revoked', 'NotStarted')),
    Detail      VARCHAR(500) NULL,
    Days_Left   INT          NULL,
    Send_Ms     INT          NULL,
    At          DATETIME     NOT NULL
);

CREATE INDEX IF NOT EXISTS IX_JobRunItem_Job_Id_Id ON JobRunItem (Job_Id, Id);
