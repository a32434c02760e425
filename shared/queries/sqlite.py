"""SQLite statements (the embedded default). Times are UTC text 'YYYY-MM-DD HH:MM:SS.fff'."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from shared.queries import JOB_COLUMNS, JOB_ITEM_COLUMNS, LIST_SORTS, REQUEST_ITEM, list_statements

if TYPE_CHECKING:
    from shared.platforms import Platform

QUOTE = ('"', '"')

NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"


def _plus_ms(base: str) -> str:
    # Whole milliseconds, like the SQL Server statements; the modifier takes decimal seconds.
    return f"strftime('%Y-%m-%d %H:%M:%f', {base}, (? / 1000.0) || ' seconds')"


_LEASE_END = f"COALESCE(Lock_Until, {_plus_ms('Started_At')})"
# Latest = highest Id: rows are written in time order, and MAX(Id) is read off the FK index
# (which carries the rowid) without a sort per request.
_REQUEST_JOINS = """
  FROM {requests} u
  LEFT JOIN {revoked} r ON r.Id = (
       SELECT MAX(r2.Id) FROM {revoked} r2 WHERE r2.{revoked_fk} = u.{key})
  LEFT JOIN {notifications} ln ON ln.Id = (
       SELECT MAX(n2.Id) FROM {notifications} n2 WHERE n2.{notification_fk} = u.{key})"""

# The list's filters (DESIGN section 6, R2): the parameter that is NULL when absent, the condition.
# `q` is a substring: the pattern bound is '%' + q + '%' with \ % _ escaped (Dialect.contains_param).
# SQLite's LIKE folds case, for ASCII only (NOCASE also folds ASCII only): numbers and addresses
# are ASCII in practice.
_LIST_FILTERS = {
    "status": ("?", "u.{status} = ?"),
    "after": ("?", "u.{expires} > ?"),
    "until": ("?", "u.{expires} <= ?"),
    "q": ("?", "({search})"),
}


def platform_fragments(platform: Platform, quote: Callable[[str], str]) -> dict[str, str]:
    """Placeholders whose SQL only this dialect knows."""
    return {"search": " OR ".join(f"u.{quote(column)} LIKE ? ESCAPE '\\'" for column in platform.search_columns)}


STATEMENTS: dict[str, str] = {
    "clock.now": f"SELECT {NOW} AS now",
    # --- the JobRun lock (DESIGN section 4) ---------------------------------------------------
    # params: reclaiming job id, job type, lock timeout ms
    "lock.reclaim_stale": f"""
UPDATE JobRun
   SET Status = 'Failed',
       Completed_At = {NOW},
       Error_Message = substr('Lock expired (no heartbeat from ' || Started_By
                              || '); reclaimed by job ' || ?, 1, 500)
 WHERE Job_Type = ? AND Status = 'InProgress'
   AND {_LEASE_END} <= {NOW}
RETURNING Job_Id""",
    # params: job id, job type, started by, requested by, lock timeout ms, job type
    "lock.insert_if_free": f"""
INSERT INTO JobRun (Job_Id, Job_Type, Status, Started_At, Started_By, Requested_By, Lock_Until)
SELECT ?, ?, 'InProgress', {NOW}, ?, ?, {_plus_ms("'now'")}
 WHERE NOT EXISTS (SELECT 1 FROM JobRun WHERE Job_Type = ? AND Status = 'InProgress')
RETURNING Job_Id""",
    # params: lock timeout ms, job id
    "lock.heartbeat": f"""
UPDATE JobRun SET Lock_Until = {_plus_ms("'now'")}
 WHERE Job_Id = ? AND Status = 'InProgress'
RETURNING Lock_Until""",
    # params: started by, lock timeout ms, job id. The queued run's executor takes the lock over:
    # Started_By names the machine that holds it now (DESIGN section 5, R2).
    "lock.take_over": f"""
UPDATE JobRun SET Started_By = ?, Lock_Until = {_plus_ms("'now'")}
 WHERE Job_Id = ? AND Status = 'InProgress'
RETURNING Job_Id""",
    # params: processed count, failed count, job id
    "lock.complete": f"""
UPDATE JobRun
   SET Status = 'Completed', Completed_At = {NOW}, Processed_Count = ?, Failed_Count = ?
 WHERE Job_Id = ? AND Status = 'InProgress'
RETURNING Job_Id""",
    # params: error message, processed count, failed count, job id
    "lock.fail": f"""
UPDATE JobRun
   SET Status = 'Failed', Completed_At = {NOW}, Error_Message = ?,
       Processed_Count = ?, Failed_Count = ?
 WHERE Job_Id = ? AND Status = 'InProgress'
RETURNING Job_Id""",
    # params: job type, lock timeout ms
    "lock.active_job": f"""
SELECT {JOB_COLUMNS} FROM JobRun
 WHERE Job_Type = ? AND Status = 'InProgress'
   AND {_LEASE_END} > {NOW}
 ORDER BY Started_At DESC LIMIT 1""",
    # params: job id
    "jobs.by_id": f"SELECT {JOB_COLUMNS} FROM JobRun WHERE Job_Id = ?",
    # params: job type, job type, offset, limit
    "jobs.recent": f"""
SELECT {JOB_COLUMNS} FROM JobRun
 WHERE Job_Type IN (?, ?)
 ORDER BY Started_At DESC, Id DESC
 LIMIT ?, ?""",
    # --- a run's outcome records (DESIGN section 3, R2) ------------------------------------------
    # params: job id, request key (text), email, action, outcome, detail, days left, send ms
    "job_items.insert": f"""
INSERT INTO JobRunItem (Job_Id, Request_Key, Email, Action, Outcome, Detail, Days_Left, Send_Ms, At)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, {NOW})""",
    # params: job id. The key is stored as text: compared with an INTEGER key it takes the key's
    # numeric affinity, so each item is one rowid (or primary key) lookup.
    "job_items.of_job": f"""
SELECT {JOB_ITEM_COLUMNS}
  FROM JobRunItem i
  LEFT JOIN {{requests}} u ON u.{{key}} = i.Request_Key
 WHERE i.Job_Id = ?
 ORDER BY i.Id""",
    # --- reminder claims (DESIGN section 4, R2) -----------------------------------------------------
    # params: job type, request key (text), job id, claim milliseconds, request key, reminder type.
    # Taken when nobody holds an unexpired claim and the reminder has not been recorded meanwhile
    # (the candidates were read before a previous holder may have recorded it). BEGIN IMMEDIATE
    # around the batch serialises claimers; RETURNING yields a row only when the claim was taken.
    "claims.take": f"""
INSERT INTO NotificationClaim (Job_Type, Request_Key, Job_Id, Claimed_Until)
SELECT ?, ?, ?, {_plus_ms("'now'")}
 WHERE NOT EXISTS (SELECT 1 FROM {{notifications}} n
                    WHERE n.{{notification_fk}} = ? AND n.Notification_Type = ?)
ON CONFLICT (Job_Type, Request_Key) DO UPDATE
   SET Job_Id = excluded.Job_Id, Claimed_Until = excluded.Claimed_Until
 WHERE NotificationClaim.Claimed_Until <= {NOW}
RETURNING Job_Id""",
    # params: job type, request key (text), job id. Only the claim's own holder releases it.
    "claims.release": """
DELETE FROM NotificationClaim WHERE Job_Type = ? AND Request_Key = ? AND Job_Id = ?""",
    # --- schema migrations bookkeeping ------------------------------------------------------------
    "migrations.ensure_table": """
CREATE TABLE IF NOT EXISTS SchemaMigrations (
    Name       VARCHAR(200) NOT NULL PRIMARY KEY,
    Checksum   VARCHAR(64)  NOT NULL,
    Applied_At DATETIME     NOT NULL
)""",
    "migrations.table_exists": """
SELECT COUNT(*) AS present FROM sqlite_master WHERE type = 'table' AND name = 'SchemaMigrations'""",
    "migrations.applied": "SELECT Name, Checksum FROM SchemaMigrations ORDER BY Name",
    # params: name, checksum
    "migrations.record": f"""
INSERT INTO SchemaMigrations (Name, Checksum, Applied_At) VALUES (?, ?, {NOW})""",
    # --- database health -------------------------------------------------------------------------
    # SQLite has no compatibility levels, and tells a read-only file only when a write is tried.
    "database.properties": "SELECT NULL AS compatibility_level, NULL AS updateability",
    # Changes nothing, yet needs the write lock, which SQLite refuses on a read-only file
    # (SQLITE_READONLY; BEGIN IMMEDIATE alone succeeds there). No rows: SQLite has no permissions.
    "health.write_access": "UPDATE SchemaMigrations SET Name = Name WHERE 0 = 1",
    # --- access requests (platform templates) -----------------------------------------------
    # The list with its filters, sorts and keyset pages (shared/queries/__init__.py).
    # A search reads the table (NOT INDEXED) and sorts what matches: SQLite's planner would walk the
    # sort's index for the LIMIT, a lookup per row, and a rare match means every row.
    **list_statements(_REQUEST_JOINS, _REQUEST_JOINS.replace("{requests} u", "{requests} u NOT INDEXED", 1),
                      _LIST_FILTERS, {sort: "?" for sort in LIST_SORTS}, "\n LIMIT ?, ?", ""),
    # params: request number. Inside the create's BEGIN IMMEDIATE, which serialises writers, so no
    # other create can take the number between this probe and the insert. NOCASE: SQL Server's
    # default collation would call REQ-1 and req-1 the same number, so SQLite does too.
    "requests.number_taken": """
SELECT 1 AS taken FROM {requests} WHERE {number} = ? COLLATE NOCASE LIMIT 1""",
    # params: key
    "requests.get": REQUEST_ITEM + _REQUEST_JOINS + "\n WHERE u.{key} = ?",
    # params: active status. Expired and still active: what the revoke job would take now.
    "requests.pending_expiry": REQUEST_ITEM + _REQUEST_JOINS + f"""
 WHERE u.{{status}} = ? AND u.{{expires}} <= {NOW}
 ORDER BY u.{{expires}}, u.{{key}}""",
    # params: active status. Flow 1's candidates in the SPEC's shape (key, days left, reminders
    # sent): 0..30 calendar days to expiry as a range on the expiry column, so the index on
    # (Status, expiry) can seek; '9999-12-31' (never expires) falls outside the range. For an
    # INTEGER key (the rowid every index carries) nothing outside that index and the reminders' is
    # read: the details of the few that are due come from "requests.get_active_many".
    "requests.notification_candidates": """
SELECT u.{key} AS request_key,
       CAST(julianday(date(u.{expires})) - julianday(date('now')) AS INTEGER) AS days_left,
       (SELECT COUNT(*) FROM {notifications} n WHERE n.{notification_fk} = u.{key})
           AS notification_count
  FROM {requests} u
 WHERE u.{status} = ?
   AND u.{expires} >= date('now')
   AND u.{expires} < date('now', '+31 days')
 ORDER BY u.{expires}, u.{key}""",
    # params: active status, the keys as a JSON array. Requests no longer Active are left out.
    "requests.get_active_many": REQUEST_ITEM + _REQUEST_JOINS + """
 WHERE u.{status} = ? AND u.{key} IN (SELECT value FROM json_each(?))""",
    # params: [key if the service generates it], platform fields..., email, expires, status (the
    # creation time, when the table has one, is the database clock's)
    "requests.insert": """
INSERT INTO {requests} ({insert_columns})
VALUES ({insert_values})
RETURNING {key} AS new_key""",
    # params: request key, sent to, sent by, notification type
    "notifications.insert": f"""
INSERT INTO {{notifications}}
       ({{notification_fk}}, Notification_Sent_Dt, Notification_Sent_To, Notification_Sent_By,
        Notification_Type)
VALUES (?, {NOW}, ?, ?, ?)
RETURNING Notification_Sent_Dt AS sent_at""",
    # --- revocation: one transaction, one cutoff (DESIGN section 5) --------------------------------
    # The cutoff at the precision Revoked_Dt is stored with (milliseconds).
    "revoke.cutoff": f"SELECT {NOW} AS cutoff",
    # params: cutoff, revoked by, active status, cutoff. BEGIN IMMEDIATE already holds the write
    # lock, so nothing can change the selected rows before the status update. In key order, so
    # the foreign-key check of each new row reads the requests table in order, not at random.
    "revoke.insert_revocations": """
INSERT INTO {revoked} ({revoked_fk}, Revoked_Dt, Revoked_By)
SELECT u.{key}, ?, ? FROM {requests} u
 WHERE u.{status} = ? AND u.{expires} <= ?
 ORDER BY u.{key}""",
    # params: job id, cutoff, active status, cutoff. The run's outcome records, set-based, for the
    # rows the revocations were just written for (still Active until "revoke.mark_revoked").
    "revoke.insert_items": """
INSERT INTO JobRunItem (Job_Id, Request_Key, Email, Action, Outcome, At)
SELECT ?, CAST(u.{key} AS TEXT), u.{email}, 'Revoke', 'Revoked', ? FROM {requests} u
 WHERE u.{status} = ? AND u.{expires} <= ?
 ORDER BY u.{key}""",
    # params: revoked status, active status, cutoff
    "revoke.mark_revoked": """
UPDATE {requests} SET {status} = ?
 WHERE {status} = ? AND {expires} <= ?""",
}
