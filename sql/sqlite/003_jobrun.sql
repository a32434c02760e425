-- One JobRun table for all four job types: the SQLite twin of sql/mssql/003. Idempotent.
CREATE TABLE IF NOT EXISTS JobRun (
    Id              INTEGER PRIMARY KEY AUTOINCREMENT,
    Job_Id          VARCHAR(36)  NOT NULL UNIQUE,
    Job_Type        VARCHAR(50)  NOT NULL,
    Status          VARCHAR(20)  NOT NULL CHECK (Status IN ('InProgress', 'Completed', 'Failed')),
    Started_At      DATETIME     NOT NULL,
    Started_By      VARCHAR(100) NOT NULL,
    Completed_At    DATETIME,
    Processed_Count INTEGER,
    Failed_Count    INTEGER,
    Error_Message   VARCHAR(500),
    Lock_Until      DATETIME
);
-- The lock's backstop: at most one InProgress row per Job_Type.
CREATE UNIQUE INDEX IF NOT EXISTS UX_JobRun_Job_Type_InProgress
    ON JobRun (Job_Type) WHERE Status = 'InProgress';
CREATE INDEX IF NOT EXISTS IX_JobRun_Job_Type_Started_At ON JobRun (Job_Type, Started_At);
