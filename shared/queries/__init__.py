"""Named SQL statements, one module per dialect, with identical names and `?` parameters.

Templates use `{requests}`, `{key}`, ... placeholders that `Dialect.sql()` fills from the platform
registry with quoted, validated identifiers; every value is a `?` parameter. Columns the platform
may lack are filled in whole: `{created_at}` (the column, or NULL), `{created_sort}` (what the list's
creation order sorts by: the column, or the key) and the creation time in `{insert_columns}` /
`{insert_values}`. Placeholders whose SQL differs by dialect come from its `platform_fragments`.
"""

import itertools

# Fragments both dialects share word for word (standard SQL).
JOB_COLUMNS = (
    "Job_Id, Job_Type, Status, Started_At, Started_By, Completed_At, "
    "Processed_Count, Failed_Count, Error_Message, Lock_Until, Requested_By"
)

# A run's outcome records in the order they were written (DESIGN section 3, R2), each with what people
# know its request by, read from the request's row (null once that row is gone).
JOB_ITEM_COLUMNS = ("i.Request_Key, i.Email, i.Action, i.Outcome, i.Detail, i.Days_Left, i.Send_Ms, i.At, "
                    "u.{number} AS Request_Label")

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


# The list's filters in the order their parameters come (DESIGN section 6, R2).
LIST_FILTERS = ("status", "after", "until", "q")


def list_statements(request_from: str, search_from: str, filters: dict[str, tuple[str, str]],
                    value_param: dict[str, str], paging: str, plan_hint: str) -> dict[str, str]:
    """The list statements of one dialect, from its `filters`: for each of LIST_FILTERS the
    parameter that is NULL when the filter is absent, and the condition it sets (params: status;
    expires after; expires until; q for each search column).

    - `requests.count` and `requests.count.<filter>+<filter>...`: the count for each combination of
      filters present, each a plain conjunction that the indexes can seek (an "absent or true"
      count would read every row the filters could name: a count reads them all, not a page).
    - for each sort in each direction, `requests.page.<sort>`, the first page, and
      `requests.page_after.<sort>`, the page after a cursor (params: every filter as "absent or
      true", each its NULL-when-absent parameter then the condition's; then value, value, key; offset,
      limit). One statement serves every combination: it walks the sort's order and stops after a
      page, so the absent filters cost little there.
    - the same as `requests.search.<sort>` and `requests.search_after.<sort>`, for a search (`q`):
      a substring is found only by reading every row, and walking the sort's index to do so reads
      them in the index's order, one lookup each, which is far slower than reading the table.

    `request_from`: REQUEST_ITEM's FROM and joins; `search_from`: the same for a search;
    `value_param`: each sort's value as a parameter;
    `paging`: offset and limit; `plan_hint`: ends each page statement.
    """
    statements: dict[str, str] = {}
    for chosen in itertools.product((False, True), repeat=len(LIST_FILTERS)):
        names = [name for name, present in zip(LIST_FILTERS, chosen, strict=True) if present]
        where = "\n WHERE " + "\n   AND ".join(filters[name][1] for name in names) if names else ""
        statements["requests.count" + "".join(f".{name}" for name in names)] = (
            "SELECT COUNT(*) AS total FROM {requests} u" + where)
    any_of = "\n WHERE " + "\n   AND ".join(
        f"({filters[name][0]} IS NULL OR {filters[name][1]})" for name in LIST_FILTERS)
    for sort, value in LIST_SORTS.items():
        for descending in (False, True):
            direction, beyond = ("DESC", "<") if descending else ("ASC", ">")
            name = ("-" if descending else "") + sort
            order = f"\n ORDER BY {value} {direction}, u.{{key}} {direction}" + paging + plan_hint
            # `value >= ?` alone is the range an index on the sort column seeks; the OR then skips
            # the rows at the cursor's own value up to and including its key.
            after = (f"\n   AND {value} {beyond}= {value_param[sort]}"
                     f"\n   AND ({value} {beyond} {value_param[sort]} OR u.{{key}} {beyond} ?)")
            for family, joins in (("page", request_from), ("search", search_from)):
                select = REQUEST_ITEM + f", {value} AS sort_value" + joins + any_of
                statements[f"requests.{family}.{name}"] = select + order
                statements[f"requests.{family}_after.{name}"] = select + after + order
    return statements
