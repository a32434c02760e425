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

# A run's outcome records in the order they were written (DESIGN section 3, R2).
JOB_ITEM_COLUMNS = "Request_Key, Email, Action, Outcome, Detail, Days_Left, Send_Ms, At"

# A request as the API shows it: its own columns, latest revocation (r), notification summary (ln).
REQUEST_ITEM = """
SELECT u.{key} AS request_key, u.{email} AS email, u.{expires} AS expires_on,
       u.{status} AS status, {created_at} AS created_at{fields},
       r.Revoked_Dt AS revoked_dt, r.Revoked_By AS revoked_by,
       (SELECT COUNT(*) FROM {notifications} n WHERE n.{notification_fk} = u.{key})
           AS notification_count,
       ln.Notification_Type AS last_notification_type,
       ln.Notification_Sent_Dt AS last_notification_dt"""

# The list's sort orders (DESIGN section 6, R2) and the expression each sorts by. The key breaks ties,
# so (value, key) is unique and a keyset cursor names one position. A missing number sorts as ''
# (NULL would need its own predicates: it never compares).
LIST_SORTS = {"created": "{created_sort}", "expires": "u.{expires}", "number": "COALESCE(u.{number}, '')"}


def list_statements(request_from: str, filters: str, value_param: dict[str, str], paging: str,
                    plan_hint: str = "") -> dict[str, str]:
    """The list statements of one dialect: the count of the matching requests, and for each sort in
    each direction the first page (`requests.page.<sort>`) and the page after a cursor
    (`requests.page_after.<sort>`, params: filters, value, value, key, offset, limit).

    `request_from`: REQUEST_ITEM's FROM and joins; `filters`: the WHERE clause (params: status,
    status, expires after, expires after, expires until, expires until, q, then q for each search
    column); `value_param`: each sort's value as a parameter; `paging`: offset and limit;
    `plan_hint`: ends each statement.
    """
    statements = {"requests.count_matching": "SELECT COUNT(*) AS total FROM {requests} u" + filters + plan_hint}
    for sort, value in LIST_SORTS.items():
        for descending in (False, True):
            direction, beyond = ("DESC", "<") if descending else ("ASC", ">")
            name = ("-" if descending else "") + sort
            select = REQUEST_ITEM + f", {value} AS sort_value" + request_from + filters
            order = f"\n ORDER BY {value} {direction}, u.{{key}} {direction}" + paging + plan_hint
            # `value >= ?` alone is the range an index on the sort column seeks; the OR then skips
            # the rows at the cursor's own value up to and including its key.
            after = (f"\n   AND {value} {beyond}= {value_param[sort]}"
                     f"\n   AND ({value} {beyond} {value_param[sort]} OR u.{{key}} {beyond} ?)")
            statements[f"requests.page.{name}"] = select + order
            statements[f"requests.page_after.{name}"] = select + after + order
    return statements
