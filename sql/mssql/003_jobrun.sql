-- One JobRun table for all four job types (SPEC-3 table 7) plus Lock_Until, the lease (DESIGN 4).
-- Idempotent. Standalone: no foreign keys.
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;  -- required to create and use a filtered index
GO

IF OBJECT_ID(N'dbo.JobRun', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.JobRun (
        Id              INT IDENTITY(1, 1) NOT NULL,
        Job_Id          UNIQUEIDENTIFIER   NOT NULL,
        Job_Type        VARCHAR(50)        NOT NULL,
        Status          VARCHAR(20)        NOT NULL,
        Started_At      DATETIME           NOT NULL,
        Started_By      VARCHAR(100)       NOT NULL,
        Completed_At    DATETIME           NULL,
        Processed_Count INT                NULL,
        Failed_Count    INT                NULL,
        Error_Message   VARCHAR(500)       NULL,
        Lock_Until      DATETIME           NULL,
        CONSTRAINT PK_JobRun PRIMARY KEY (Id),
        CONSTRAINT UQ_JobRun_Job_Id UNIQUE (Job_Id),
        CONSTRAINT CK_JobRun_Status CHECK (Status IN ('InProgress', 'Completed', 'Failed'))
    );
END;
GO

-- The lock's backstop: at most one InProgress row per Job_Type, whatever the isolation level.
-- A second acquirer that slips past NOT EXISTS fails here with error 2601 (= not acquired).
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'UX_JobRun_Job_Type_InProgress' AND object_id = OBJECT_ID(N'dbo.JobRun')
)
    CREATE UNIQUE INDEX UX_JobRun_Job_Type_InProgress
        ON dbo.JobRun (Job_Type) WHERE Status = 'InProgress';
GO

-- Job history per type, newest first.
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'IX_JobRun_Job_Type_Started_At' AND object_id = OBJECT_ID(N'dbo.JobRun')
)
    CREATE INDEX IX_JobRun_Job_Type_Started_At ON dbo.JobRun (Job_Type, Started_At);
GO
