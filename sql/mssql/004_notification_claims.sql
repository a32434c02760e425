-- Reminder claims (DESIGN section 4, R2): a run claims each request just before sending its
-- reminder, so that a run taking over the lock never re-sends what the previous holder may still be
-- sending or recording. A claim lasts the send's timeout plus a margin, by the database clock; one
-- left by a run that died expires the same way. Kept apart from the notification tables, which hold
-- successful sends only (SPEC). Idempotent. No foreign key: the key is the platform key as text.
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

IF OBJECT_ID(N'dbo.NotificationClaim', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.NotificationClaim (
        Job_Type      VARCHAR(50)      NOT NULL,
        Request_Key   VARCHAR(64)      NOT NULL,
        Job_Id        UNIQUEIDENTIFIER NOT NULL,
        Claimed_Until DATETIME         NOT NULL,
        CONSTRAINT PK_NotificationClaim PRIMARY KEY (Job_Type, Request_Key)
    );
END;
GO
