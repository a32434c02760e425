-- Expiry reminders sent per platform: the SQLite twin of sql/mssql/001. Idempotent.
CREATE TABLE IF NOT EXISTS ExpiryNotification_Databricks (
    Id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    DeltaRequestId       INTEGER      NOT NULL REFERENCES DataAccessDeltaRequests (id),
    Notification_Sent_Dt DATETIME     NOT NULL,
    Notification_Sent_To VARCHAR(320) NOT NULL,
    Notification_Sent_By VARCHAR(100) NOT NULL,
    Notification_Type    VARCHAR(50)  NOT NULL
        CHECK (Notification_Type IN ('30-Day Reminder', '7-Day Reminder'))
);
CREATE UNIQUE INDEX IF NOT EXISTS UX_ExpiryNotification_Databricks_Request_Type
    ON ExpiryNotification_Databricks (DeltaRequestId, Notification_Type);

CREATE TABLE IF NOT EXISTS ExpiryNotification_Palantir (
    Id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    PalantirRequestId    VARCHAR(36)  NOT NULL REFERENCES DataAccessPalantirRequests (RequestId),
    Notification_Sent_Dt DATETIME     NOT NULL,
    Notification_Sent_To VARCHAR(320) NOT NULL,
    Notification_Sent_By VARCHAR(100) NOT NULL,
    Notification_Type    VARCHAR(50)  NOT NULL
        CHECK (Notification_Type IN ('30-Day Reminder', '7-Day Reminder'))
);
CREATE UNIQUE INDEX IF NOT EXISTS UX_ExpiryNotification_Palantir_Request_Type
    ON ExpiryNotification_Palantir (PalantirRequestId, Notification_Type);
