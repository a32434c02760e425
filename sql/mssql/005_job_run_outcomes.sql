-- Runs that outlive HTTP requests (DESIGN section 3, R2). Idempotent.
-- JobRun.Requested_By: who asked for the run (the signed-in user's name, or '(timer)');
-- Started_By stays the machine that holds the lock.
-- JobRunItem: every send's and every revocation's outcome, written as the run goes: how any
-- instance answers GET /{p}/jobs/{jobId}, and the only record of a failed send (the notification
-- tables keep successes only, SPEC). Days_Left and Send_Ms rebuild the 200 body's reminder items
-- and its performance figures. No foreign key to JobRun: the revoke writes it set-based, and the
-- rows are looked up by (Job_Id, Id) only.
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

IF COL_LENGTH(N'dbo.JobRun', N'Requested_By') IS NULL
    ALTER TABLE dbo.JobRun ADD Requested_By VARCHAR(256) NULL;
GO

IF OBJECT_ID(N'dbo.JobRunItem', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.JobRunItem (
        Id          BIGINT IDENTITY(1, 1) NOT NULL,
        Job_Id      UNIQUEIDENTIFIER      NOT NULL,
        Request_Key VARCHAR(64)           NOT NULL,
        Email       VARCHAR(320)          NULL,
        Action      VARCHAR(50)           NOT NULL,
        Outcome     VARCHAR(20)           NOT NULL,
        Detail      VARCHAR(500)          NULL,
        Days_Left   INT                   NULL,
        Send_Ms     INT                   NULL,
        At          DATETIME              NOT NULL,
        CONSTRAINT PK_JobRunItem PRIMARY KEY (Id),
        CONSTRAINT CK_JobRunItem_Outcome CHECK (Outcome IN ('Sent', 'Failed', 'Revoked', 'NotStarted'))
    );
END;
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'IX_JobRunItem_Job_Id_Id' AND object_id = OBJECT_ID(N'dbo.JobRunItem')
)
    CREATE INDEX IX_JobRunItem_Job_Id_Id ON dbo.JobRunItem (Job_Id, Id);
GO
