-- !!! EMBEDDED / LOCAL DEVELOPMENT ONLY. !!!
-- In production (Azure SQL) these two tables already exist and are never created by the service.
-- The embedded SQLite default needs stand-ins with the columns the service uses.
-- Times are UTC text 'YYYY-MM-DD HH:MM:SS.fff'; UNIQUEIDENTIFIER is canonical lower-case text.
CREATE TABLE IF NOT EXISTS DataAccessDeltaRequests (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    request_number     VARCHAR(50),
    request_type       VARCHAR(50),
    requested_by_ad_id VARCHAR(100),
    requested_by_email VARCHAR(320) NOT NULL,
    requested_by       VARCHAR(200),
    Status             VARCHAR(20)  NOT NULL,
    Expires_On         DATETIME     NOT NULL,
    created_at         DATETIME     NOT NULL
);
CREATE INDEX IF NOT EXISTS IX_DataAccessDeltaRequests_Status_Expires_On
    ON DataAccessDeltaRequests (Status, Expires_On);

CREATE TABLE IF NOT EXISTS DataAccessPalantirRequests (
    RequestId        VARCHAR(36)   NOT NULL PRIMARY KEY,
    ProjectId        VARCHAR(100)  NOT NULL,
    ProjectRid       VARCHAR(200),
    RequestType      VARCHAR(50),
    Status           VARCHAR(20)   NOT NULL,
    Justification    VARCHAR(1000),
    RequestedByEmail VARCHAR(320)  NOT NULL,
    ExpiresOn        DATETIME      NOT NULL,
    created_at       DATETIME      NOT NULL
);
CREATE INDEX IF NOT EXISTS IX_DataAccessPalantirRequests_Status_ExpiresOn
    ON DataAccessPalantirRequests (Status, ExpiresOn);
