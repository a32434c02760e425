-- Reminder claims: the SQLite twin of sql/mssql/004. Idempotent.
CREATE TABLE IF NOT EXISTS NotificationClaim (
    Job_Type      VARCHAR(50) NOT NULL,
    Request_Key   VARCHAR(64) NOT NULL,
    Job_Id        VARCHAR(36) NOT NULL,
    Claimed_Until DATETIME    NOT NULL,
    PRIMARY KEY (Job_Type, Request_Key)
);
