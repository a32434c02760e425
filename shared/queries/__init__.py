"""Named SQL statements, one module per dialect, with identical names and `?` parameters.

Templates use `{requests}`, `{key}`, ... placeholders that `Dialect.sql()` fills from the platform
registry with quoted, validated identifiers; every value is a `?` parameter. Columns the platform
may lack are filled in whole: `{created_at}` (the column, or NULL), `{newest_first}` (the list order)
and the creation time in `{insert_columns}` / `{insert_values}`.
"""


# Fragments both dialects share word for word (standard SQL).
JOB_COLUMNS = (
    "Job_Id, Job_Type, Status, Started_At, Started_By, Completed_At, "
    "Processed_Count, Failed_Count, Error_Message, Lock_Until, Requested_By"
)

# A run's outcome records in the order they were written (DESIGN section 3, R2), each with what people
# know its request by, read from the request's row (null once that row is gone).
JOB_ITEM_COLUMNS = ("i.Request_Key, i.Email, i.Action, i.Outcome, i.Detail, i.Days_Left, i.Send_Ms, i.At, "
                    "u.{label} AS Request_Label")

# A request as the API shows it: its own columns, latest revocation (r), notification summary (ln).
REQUEST_ITEM = """
SELECT u.{key} AS request_key, u.{email} AS email, u.{expires} AS expires_on,
       u.{status} AS status, {created_at} AS created_at{fields},
       r.Revoked_Dt AS revoked_dt, r.Revoked_By AS revoked_by,
       (SELECT COUNT(*) FROM {notifications} n WHERE n.{notification_fk} = u.{key})
           AS notification_count,
       ln.Notification_Type AS last_notification_type,
       ln.Notification_Sent_Dt AS last_notification_dt"""
