"""T-SQL statements for Azure SQL. Columns are DATETIME holding UTC; the clock is the server's.

Notes on SQL Server behaviour the statements rely on (DESIGN sections 4 and 5):
- Azure SQL reads committed row versions (RCSI), so a plain NOT EXISTS probe neither sees nor waits
  for another session's uncommitted lock row: the probe takes UPDLOCK, HOLDLOCK (a key-range lock
  held to the end of the acquire transaction) and the filtered unique index is the backstop.
- `OUTPUT INSERTED... INTO @out` and then `SELECT ... FROM @out` makes "did it change a row"
  unambiguous even under SET NOCOUNT ON. Always INTO a table variable: SQL Server rejects an OUTPUT
  clause without INTO on a table with an enabled trigger, and a trigger may be added to our own
  tables one day. The batch has one data-changing statement, so in autocommit it is still one
  transaction. Never on the platform tables, whose foreign keys and triggers are not ours to know.
- Where a count is needed from a platform table, the batch returns `SELECT @@ROWCOUNT AS affected`.
- pyodbc binds a `str` as NVARCHAR, which outranks VARCHAR: compared with a VARCHAR column it would
  convert the column (a scan; under UPDLOCK, HOLDLOCK a range lock over the whole table). Every
  string compared with a VARCHAR column is cast to the column's type first (DESIGN section 4, R2).
- Durations arrive as whole milliseconds (an INT: the settings bound them to one day).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from shared.queries import JOB_COLUMNS, JOB_ITEM_COLUMNS, REQUEST_ITEM, list_statements

if TYPE_CHECKING:
    from shared.platforms import Platform

QUOTE = ("[", "]")

NOW = "SYSUTCDATETIME()"


def _plus_ms(base: str) -> str:
    return f"DATEADD(MILLISECOND, ?, {base})"


def _varchar(length: int) -> str:
    """A string parameter as a VARCHAR(length) column's type: seeks stay seeks."""
    return f"CAST(? AS VARCHAR({length}))"


_JOB_TYPE = _varchar(50)  # JobRun.Job_Type, NotificationClaim.Job_Type
_STATUS = _varchar(20)  # the platform tables' Status (the status settings are at most 20 long)
# The revoke's cutoff as Revoked_Dt stores it (DATETIME), so both statements compare with that value.
# Also any time compared with a platform table's DATETIME column: pyodbc binds a datetime as
# DATETIME2, which outranks DATETIME, and would convert the column.
_CUTOFF = "CAST(? AS DATETIME)"
_SEARCH = _varchar(320)  # the list's `q` (at most 320 long: an email address)
_CASE_INSENSITIVE = "SQL_Latin1_General_CP1_CI_AS"


def _output_batch(column: str, sql_type: str, statement: str) -> str:
    """`statement`, whose OUTPUT clause goes INTO @out, as a batch returning what it output."""
    return f"""
SET NOCOUNT ON;
DECLARE @out TABLE ({column} {sql_type} NOT NULL);{statement};
SELECT {column} FROM @out;"""


_LEASE_END = f"COALESCE(Lock_Until, {_plus_ms('Started_At')})"
# Latest = highest Id (rows are written in time order): the FK index carries the clustered key.
_REQUEST_JOINS = """
  FROM {requests} u
 OUTER APPLY (SELECT TOP (1) r2.Revoked_Dt, r2.Revoked_By FROM {revoked} r2
               WHERE r2.{revoked_fk} = u.{key}
               ORDER BY r2.Id DESC) r
 OUTER APPLY (SELECT TOP (1) n2.Notification_Type, n2.Notification_Sent_Dt FROM {notifications} n2
               WHERE n2.{notification_fk} = u.{key}
               ORDER BY n2.Id DESC) ln"""
_TODAY = f"CAST(CAST({NOW} AS DATE) AS DATETIME)"

# The list's filters (DESIGN section 6, R2): the parameter that is NULL when absent, the condition.
# Each cast to the column's type, so a present one compares VARCHAR with VARCHAR and DATETIME with
# DATETIME. The pages' "absent or true" form serves every combination; OPTION (RECOMPILE) plans each
# call with its values embedded, so the absent filters fold away and a present one can seek,
# instead of one cached plan for whichever combination came first.
_LIST_FILTERS = {
    "status": ("CAST(? AS VARCHAR(20))", f"u.{{status}} = {_STATUS}"),
    "after": (_CUTOFF, f"u.{{expires}} > {_CUTOFF}"),
    "until": (_CUTOFF, f"u.{{expires}} <= {_CUTOFF}"),
    "q": (_SEARCH, "({search})"),
}


def platform_fragments(platform: Platform, quote: Callable[[str], str]) -> dict[str, str]:
    """Placeholders whose SQL only this dialect knows.

    `q` is a substring: CHARINDEX needs no escaping of LIKE's wildcards (% _ [ ]), and the search
    string may be longer than a column (LIKE's pattern would be cut to the column's type). The
    collation is named, not the column's: Azure SQL's default is case-insensitive, but the
    platform tables are not ours, and the contract is a case-insensitive match.
    """
    return {
        "search": " OR ".join(f"CHARINDEX({_SEARCH}, u.{quote(column)} COLLATE {_CASE_INSENSITIVE}) > 0"
                              for column in platform.search_columns),
        # Without a creation column the list sorts by key (INT or UNIQUEIDENTIFIER outrank NVARCHAR).
        "created_param": "?" if platform.created_column is None else _CUTOFF,
    }


STATEMENTS: dict[str, str] = {
    "clock.now": f"SELECT CAST({NOW} AS DATETIME2(3)) AS now",
    # --- the JobRun lock (DESIGN section 4) ---------------------------------------------------
    # params: reclaiming job id, job type, lock timeout ms
    "lock.reclaim_stale": _output_batch("Job_Id", "UNIQUEIDENTIFIER", f"""
UPDATE JobRun
   SET Status = 'Failed',
       Completed_At = {NOW},
       Error_Message = LEFT(CONCAT('Lock expired (no heartbeat from ', Started_By,
                                   '); reclaimed by job ', ?), 500)
OUTPUT INSERTED.Job_Id INTO @out
 WHERE Job_Type = {_JOB_TYPE} AND Status = 'InProgress'
   AND {_LEASE_END} <= {NOW}"""),
    # params: job id, job type, started by, requested by, lock timeout ms, job type
    "lock.insert_if_free": _output_batch("Job_Id", "UNIQUEIDENTIFIER", f"""
INSERT INTO JobRun (Job_Id, Job_Type, Status, Started_At, Started_By, Requested_By, Lock_Until)
OUTPUT INSERTED.Job_Id INTO @out
SELECT ?, ?, 'InProgress', {NOW}, ?, ?, {_plus_ms(NOW)}
 WHERE NOT EXISTS (SELECT 1 FROM JobRun WITH (UPDLOCK, HOLDLOCK)
                    WHERE Job_Type = {_JOB_TYPE} AND Status = 'InProgress')"""),
    # params: lock timeout ms, job id
    "lock.heartbeat": _output_batch("Lock_Until", "DATETIME", f"""
UPDATE JobRun SET Lock_Until = {_plus_ms(NOW)}
OUTPUT INSERTED.Lock_Until INTO @out
 WHERE Job_Id = ? AND Status = 'InProgress'"""),
    # params: started by, lock timeout ms, job id. The queued run's executor takes the lock over:
    # Started_By names the machine that holds it now (DESIGN section 5, R2).
    "lock.take_over": _output_batch("Job_Id", "UNIQUEIDENTIFIER", f"""
UPDATE JobRun SET Started_By = ?, Lock_Until = {_plus_ms(NOW)}
OUTPUT INSERTED.Job_Id INTO @out
 WHERE Job_Id = ? AND Status = 'InProgress'"""),
    # params: processed count, failed count, job id
    "lock.complete": _output_batch("Job_Id", "UNIQUEIDENTIFIER", f"""
UPDATE JobRun
   SET Status = 'Completed', Completed_At = {NOW}, Processed_Count = ?, Failed_Count = ?
OUTPUT INSERTED.Job_Id INTO @out
 WHERE Job_Id = ? AND Status = 'InProgress'"""),
    # params: error message, processed count, failed count, job id
    "lock.fail": _output_batch("Job_Id", "UNIQUEIDENTIFIER", f"""
UPDATE JobRun
   SET Status = 'Failed', Completed_At = {NOW}, Error_Message = ?,
       Processed_Count = ?, Failed_Count = ?
OUTPUT INSERTED.Job_Id INTO @out
 WHERE Job_Id = ? AND Status = 'InProgress'"""),
    # params: job type, lock timeout ms
    "lock.active_job": f"""
SELECT TOP (1) {JOB_COLUMNS} FROM JobRun
 WHERE Job_Type = {_JOB_TYPE} AND Status = 'InProgress'
   AND {_LEASE_END} > {NOW}
 ORDER BY Started_At DESC""",
    # params: job id
    "jobs.by_id": f"SELECT {JOB_COLUMNS} FROM JobRun WHERE Job_Id = ?",
    # params: job type, job type, offset, limit
    "jobs.recent": f"""
SELECT {JOB_COLUMNS} FROM JobRun
 WHERE Job_Type IN ({_JOB_TYPE}, {_JOB_TYPE})
 ORDER BY Started_At DESC, Id DESC
 OFFSET ? ROWS FETCH NEXT ? ROWS ONLY""",
    # --- a run's outcome records (DESIGN section 3, R2) ------------------------------------------
    # params: job id, request key (text), email, action, outcome, detail, days left, send ms.
    # Nothing compared, nothing output: a plain insert.
    "job_items.insert": f"""
INSERT INTO JobRunItem (Job_Id, Request_Key, Email, Action, Outcome, Detail, Days_Left, Send_Ms, At)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, {NOW})""",
    # params: job id. The (Job_Id, Id) index serves it in order. The key's type (INT,
    # UNIQUEIDENTIFIER) outranks VARCHAR, so the stored text is converted, never the key column: one
    # key seek per item. Every Request_Key of a platform's run was written from that platform's key.
    "job_items.of_job": f"""
SELECT {JOB_ITEM_COLUMNS}
  FROM JobRunItem i
  LEFT JOIN {{requests}} u ON u.{{key}} = i.Request_Key
 WHERE i.Job_Id = ?
 ORDER BY i.Id""",
    # --- reminder claims (DESIGN section 4, R2) -----------------------------------------------------
    # params: job type, request key (text), job id, claim milliseconds, request key, reminder type.
    # Taken when nobody holds an unexpired claim and the reminder has not been recorded meanwhile.
    # Runs inside the caller's transaction: UPDLOCK, HOLDLOCK keep the key (or its empty range) locked
    # from the probe to the write, so two claimers serialise; the primary key is the backstop. The
    # typed variables convert the strings once, so the comparisons are VARCHAR = VARCHAR (seeks).
    # OUTPUT INTO a table variable: OUTPUT to the client fails if a trigger is ever added.
    "claims.take": f"""
SET NOCOUNT ON;
DECLARE @claimed TABLE (Job_Id UNIQUEIDENTIFIER NOT NULL);
DECLARE @job_type VARCHAR(50) = ?, @request_key VARCHAR(64) = ?, @job_id UNIQUEIDENTIFIER = ?,
        @claim_ms INT = ?;
IF NOT EXISTS (SELECT 1 FROM {{notifications}} n
                WHERE n.{{notification_fk}} = ? AND n.Notification_Type = {_varchar(50)})
BEGIN
    UPDATE NotificationClaim WITH (UPDLOCK, HOLDLOCK)
       SET Job_Id = @job_id, Claimed_Until = DATEADD(MILLISECOND, @claim_ms, {NOW})
    OUTPUT INSERTED.Job_Id INTO @claimed
     WHERE Job_Type = @job_type AND Request_Key = @request_key AND Claimed_Until <= {NOW};
    IF @@ROWCOUNT = 0
        INSERT INTO NotificationClaim (Job_Type, Request_Key, Job_Id, Claimed_Until)
        OUTPUT INSERTED.Job_Id INTO @claimed
        SELECT @job_type, @request_key, @job_id, DATEADD(MILLISECOND, @claim_ms, {NOW})
         WHERE NOT EXISTS (SELECT 1 FROM NotificationClaim WITH (UPDLOCK, HOLDLOCK)
                            WHERE Job_Type = @job_type AND Request_Key = @request_key);
END;
SELECT Job_Id FROM @claimed;""",
    # params: job type, request key (text), job id. Only the claim's own holder releases it.
    "claims.release": f"""
DELETE FROM NotificationClaim
 WHERE Job_Type = {_JOB_TYPE} AND Request_Key = {_varchar(64)} AND Job_Id = ?""",
    # --- schema migrations bookkeeping ------------------------------------------------------------
    "migrations.ensure_table": """
IF OBJECT_ID(N'dbo.SchemaMigrations', N'U') IS NULL
    CREATE TABLE dbo.SchemaMigrations (
        Name       VARCHAR(200) NOT NULL CONSTRAINT PK_SchemaMigrations PRIMARY KEY,
        Checksum   VARCHAR(64)  NOT NULL,
        Applied_At DATETIME     NOT NULL
    )""",
    "migrations.table_exists": """
SELECT CASE WHEN OBJECT_ID(N'dbo.SchemaMigrations', N'U') IS NULL THEN 0 ELSE 1 END AS present""",
    "migrations.applied": "SELECT Name, Checksum FROM dbo.SchemaMigrations ORDER BY Name",
    # params: name, checksum
    "migrations.record": f"""
INSERT INTO dbo.SchemaMigrations (Name, Checksum, Applied_At) VALUES (?, ?, {NOW})""",
    # --- database health -------------------------------------------------------------------------
    # The connected database's row is always visible in sys.databases, whatever the login.
    "database.properties": """
SELECT compatibility_level,
       CAST(DATABASEPROPERTYEX(DB_NAME(), 'Updateability') AS VARCHAR(20)) AS updateability
  FROM sys.databases
 WHERE name = DB_NAME()""",
    # Each permission the service's statements use on this platform's tables that its login lacks
    # (a table that does not exist lacks them all), the tables named as the statements name them.
    "health.write_access": """
SELECT t.securable, t.permission
  FROM (VALUES (N'JobRun', N'SELECT'), (N'JobRun', N'INSERT'), (N'JobRun', N'UPDATE'),
               (N'JobRunItem', N'SELECT'), (N'JobRunItem', N'INSERT'),
               (N'NotificationClaim', N'SELECT'), (N'NotificationClaim', N'INSERT'),
               (N'NotificationClaim', N'UPDATE'), (N'NotificationClaim', N'DELETE'),
               (N'dbo.SchemaMigrations', N'SELECT'),
               (N'{requests}', N'SELECT'), (N'{requests}', N'INSERT'), (N'{requests}', N'UPDATE'),
               (N'{notifications}', N'SELECT'), (N'{notifications}', N'INSERT'),
               (N'{revoked}', N'SELECT'), (N'{revoked}', N'INSERT')) AS t (securable, permission)
 WHERE COALESCE(HAS_PERMS_BY_NAME(t.securable, N'OBJECT', t.permission), 0) = 0""",
    # --- access requests (platform templates) -----------------------------------------------
    # The list with its filters, sorts and keyset pages (shared/queries/__init__.py).
    # A search needs no other statement here: OPTION (RECOMPILE) plans it with its values.
    **list_statements(_REQUEST_JOINS, _REQUEST_JOINS, _LIST_FILTERS, {
        "created": "{created_param}", "expires": _CUTOFF, "number": "CAST(? AS VARCHAR({number_length}))"},
        "\n OFFSET ? ROWS FETCH NEXT ? ROWS ONLY", "\n OPTION (RECOMPILE)"),
    # params: request number. Inside the create's transaction: under RCSI a plain probe would read
    # the last committed version and miss a concurrent create's uncommitted row, so UPDLOCK, HOLDLOCK
    # lock the number's key range (on an index over the number; without one, the scanned range:
    # creates then serialise) until the insert commits, and a second create of the number waits,
    # then finds it. The comparison follows the column's collation (case-insensitive by default).
    "requests.number_taken": """
SELECT TOP (1) 1 AS taken FROM {requests} WITH (UPDLOCK, HOLDLOCK)
 WHERE {number} = CAST(? AS VARCHAR({number_length}))""",
    # params: key
    "requests.get": REQUEST_ITEM + _REQUEST_JOINS + "\n WHERE u.{key} = ?",
    # params: active status
    "requests.pending_expiry": REQUEST_ITEM + _REQUEST_JOINS + f"""
 WHERE u.{{status}} = {_STATUS} AND u.{{expires}} <= {NOW}
 ORDER BY u.{{expires}}, u.{{key}}""",
    # params: active status. Flow 1's candidates in the SPEC's shape (key, days left, reminders
    # sent), with the same calendar-day meaning as DATEDIFF(DAY, GETUTCDATE(), Expires_On)
    # BETWEEN 0 AND 30 written as a sargable range. With a clustered key, which every nonclustered
    # index carries, the (Status, expiry) index covers it: the details of the few that are due
    # come from "requests.get_active_many".
    "requests.notification_candidates": f"""
SELECT u.{{key}} AS request_key,
       DATEDIFF(DAY, {NOW}, u.{{expires}}) AS days_left,
       (SELECT COUNT(*) FROM {{notifications}} n WHERE n.{{notification_fk}} = u.{{key}})
           AS notification_count
  FROM {{requests}} u
 WHERE u.{{status}} = {_STATUS}
   AND u.{{expires}} >= {_TODAY}
   AND u.{{expires}} < DATEADD(DAY, 31, {_TODAY})
 ORDER BY u.{{expires}}, u.{{key}}""",
    # params: active status, the keys as a JSON array. Requests no longer Active are left out.
    # OPENJSON's values are NVARCHAR; INT and UNIQUEIDENTIFIER rank higher in data type
    # precedence, so the values are converted, never the key column, and the key seek stays.
    # NVARCHAR(MAX): past 4,000 bytes pyodbc would send the list as ntext, which OPENJSON refuses.
    "requests.get_active_many": REQUEST_ITEM + _REQUEST_JOINS + f"""
 WHERE u.{{status}} = {_STATUS} AND u.{{key}} IN (SELECT value FROM OPENJSON(CAST(? AS NVARCHAR(MAX))))""",
    # params: [key if the service generates it], platform fields..., email, expires, status (the
    # creation time, when the table has one, is the database clock's).
    # SCOPE_IDENTITY() rather than OUTPUT: the platform table may have triggers.
    "requests.insert": """
SET NOCOUNT ON;
INSERT INTO {requests} ({insert_columns})
VALUES ({insert_values});
SELECT CAST(SCOPE_IDENTITY() AS INT) AS new_key;""",
    # params: request key, sent to, sent by, notification type
    "notifications.insert": _output_batch("sent_at", "DATETIME", f"""
INSERT INTO {{notifications}}
       ({{notification_fk}}, Notification_Sent_Dt, Notification_Sent_To, Notification_Sent_By,
        Notification_Type)
OUTPUT INSERTED.Notification_Sent_Dt INTO @out
VALUES (?, {NOW}, ?, ?, ?)"""),
    # --- revocation: one transaction, one cutoff (DESIGN section 5) --------------------------------
    # The cutoff as Revoked_Dt stores it: DATETIME keeps 1/300 s, so the report (and both
    # statements) use the stored value, never the finer DATETIME2 clock.
    "revoke.cutoff": f"SELECT CAST({NOW} AS DATETIME) AS cutoff",
    # params: cutoff, revoked by, active status, cutoff. UPDLOCK, HOLDLOCK keep the selected rows
    # (and the key range) locked until the status update in the same transaction. No
    # OUTPUT ... INTO here: SQL Server forbids an OUTPUT INTO target that has a foreign key.
    "revoke.insert_revocations": f"""
SET NOCOUNT ON;
INSERT INTO {{revoked}} ({{revoked_fk}}, Revoked_Dt, Revoked_By)
SELECT u.{{key}}, {_CUTOFF}, ? FROM {{requests}} u WITH (UPDLOCK, HOLDLOCK)
 WHERE u.{{status}} = {_STATUS} AND u.{{expires}} <= {_CUTOFF};
SELECT @@ROWCOUNT AS affected;""",
    # params: job id, cutoff, active status, cutoff. The run's outcome records, set-based, for the
    # rows "revoke.insert_revocations" has locked (still Active until "revoke.mark_revoked"). Our
    # own table has no foreign key, but nothing needs an OUTPUT here: the count is @@ROWCOUNT.
    "revoke.insert_items": f"""
SET NOCOUNT ON;
INSERT INTO JobRunItem (Job_Id, Request_Key, Email, Action, Outcome, At)
SELECT ?, CAST(u.{{key}} AS VARCHAR(64)), u.{{email}}, 'Revoke', 'Revoked', {_CUTOFF} FROM {{requests}} u
 WHERE u.{{status}} = {_STATUS} AND u.{{expires}} <= {_CUTOFF};
SELECT @@ROWCOUNT AS affected;""",
    # params: revoked status, active status, cutoff
    "revoke.mark_revoked": f"""
SET NOCOUNT ON;
UPDATE {{requests}} SET {{status}} = ?
 WHERE {{status}} = {_STATUS} AND {{expires}} <= {_CUTOFF};
SELECT @@ROWCOUNT AS affected;""",
}
