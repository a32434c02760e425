import type { ReactNode } from 'react';
import { DateTime } from '../../../components/DateTime';
import { LongText } from '../../../components/LongText';
import { ClientPager, useClientPages } from '../../../components/Pager';
import { StatusBadge } from '../../../components/StatusBadge';
import { TableRegion } from '../../../components/TableRegion';
import type { Platform } from '../../../lib/platforms';
import { AWAITING_REVOKE, awaitsRevoke, isPalantirRequest, requestKey, type AccessRequest } from '../types';

export interface Column<T> {
  id: string;
  header: string;
  cell: (item: T) => ReactNode;
}

/** A long identifier cut to its cell's width; the whole value is its title (hover) and its text (copy). */
function Clipped({ text, className = 'sub' }: { text: string; className?: string }) {
  return (
    <span className={`clipped ${className}`} title={text}>
      {text}
    </span>
  );
}

/** A request named in a run's result: what people know it by (DBX-1002, a project), then its key. */
export function RunRequestCell({ requestId, requestLabel }: { requestId: string | number; requestLabel?: string | null }) {
  return (
    <>
      <span className="strong">{requestLabel || '—'}</span>
      <Clipped text={String(requestId)} className="sub mono" />
    </>
  );
}

/**
 * The columns that identify a request: the only place where the two platforms' fields differ. The
 * first one stays in view when the table scrolls sideways (a phone).
 */
const IDENTITY_COLUMNS: Record<Platform, { request: Column<AccessRequest>; requestedBy: Column<AccessRequest> }> = {
  databricks: {
    request: {
      id: 'request',
      header: 'Request',
      cell: (item) =>
        isPalantirRequest(item) ? null : (
          <>
            <span className="strong">{item.requestNumber || '—'}</span>
            <span className="sub">ID {item.id}</span>
          </>
        ),
    },
    requestedBy: {
      id: 'requestedBy',
      header: 'Requested by',
      cell: (item) =>
        isPalantirRequest(item) ? null : (
          <>
            <span>{item.requestedBy}</span>
            <Clipped text={item.requestedByEmail} className="sub email" />
            {item.requestedByAdId ? <span className="sub">AD {item.requestedByAdId}</span> : null}
          </>
        ),
    },
  },
  palantir: {
    request: {
      id: 'project',
      header: 'Project',
      cell: (item) =>
        isPalantirRequest(item) ? (
          <>
            <span className="strong">{item.projectId}</span>
            {item.projectRid ? <Clipped text={item.projectRid} /> : null}
            <Clipped text={item.requestId} className="sub mono" />
          </>
        ) : null,
    },
    requestedBy: {
      id: 'requestedBy',
      header: 'Requested by',
      cell: (item) => <Clipped text={item.requestedByEmail} className="email" />,
    },
  },
};

/** The status as it matters: an Active request past its expiry still has access, but not for long. */
function requestStatus(item: AccessRequest): ReactNode {
  return awaitsRevoke(item, Date.now()) ? (
    <StatusBadge status={item.status} label={AWAITING_REVOKE} tone="warn" />
  ) : (
    <StatusBadge status={item.status} />
  );
}

export const COMMON_COLUMNS = {
  type: { id: 'type', header: 'Type', cell: (item) => item.requestType },
  justification: {
    id: 'justification',
    header: 'Justification',
    cell: (item) =>
      isPalantirRequest(item) && item.justification ? (
        <LongText text={item.justification} what="justification" />
      ) : (
        <span className="muted">—</span>
      ),
  },
  status: { id: 'status', header: 'Status', cell: requestStatus },
  expires: { id: 'expires', header: 'Expires', cell: (item) => <DateTime value={item.expiresOn} empty="Never" /> },
  created: { id: 'created', header: 'Created', cell: (item) => <DateTime value={item.createdAt} /> },
  notifications: {
    id: 'notifications',
    header: 'Notifications',
    cell: (item) =>
      item.notificationCount > 0 ? (
        <>
          <span>{item.notificationCount} sent</span>
          {item.lastNotificationType ? <span className="sub">Last: {item.lastNotificationType}</span> : null}
          {item.lastNotificationDt ? (
            <span className="sub">
              <DateTime value={item.lastNotificationDt} />
            </span>
          ) : null}
        </>
      ) : (
        <span className="muted">None</span>
      ),
  },
  revoked: {
    id: 'revoked',
    header: 'Revoked',
    cell: (item) =>
      item.revokedDt ? (
        <>
          <DateTime value={item.revokedDt} />
          {item.revokedBy ? <span className="sub">by {item.revokedBy}</span> : null}
        </>
      ) : (
        <span className="muted">—</span>
      ),
  },
} satisfies Record<string, Column<AccessRequest>>;

export type CommonColumnId = keyof typeof COMMON_COLUMNS | 'requestedBy';

/**
 * The platform's request column first, then the chosen ones in the order given (Justification only
 * exists for Palantir). Lists put status and expiry right after the request, so a phone shows them
 * without scrolling.
 */
export function requestColumns(platform: Platform, ids: readonly CommonColumnId[]): Column<AccessRequest>[] {
  return [IDENTITY_COLUMNS[platform].request, ...requestDetailColumns(platform, ids)];
}

/** The chosen columns alone, for tables that put columns of their own between them and the request. */
export function requestDetailColumns(platform: Platform, ids: readonly CommonColumnId[]): Column<AccessRequest>[] {
  const identity = IDENTITY_COLUMNS[platform];
  return ids
    .filter((id) => id !== 'justification' || platform === 'palantir')
    .map((id) => (id === 'requestedBy' ? identity.requestedBy : (COMMON_COLUMNS[id] as Column<AccessRequest>)));
}

export interface SortState {
  column: string;
  direction: 'ascending' | 'descending';
}

interface DataTableProps<T> {
  caption: string;
  items: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (item: T) => string;
  busy?: boolean;
  rowClassName?: (item: T) => string | undefined;
  /** The column the rows are ordered by, announced with aria-sort on its header cell. */
  sort?: SortState;
}

/** A real <table> with a caption and <th scope="col"> header cells. */
export function DataTable<T>({ caption, items, columns, rowKey, busy = false, rowClassName, sort }: DataTableProps<T>) {
  return (
    <TableRegion label={caption} busy={busy}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.id} scope="col" aria-sort={sort?.column === column.id ? sort.direction : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={rowKey(item)} className={rowClassName?.(item)}>
              {columns.map((column) => (
                <td key={column.id} data-label={column.header}>
                  {column.cell(item)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

/** Rows per page of a list the browser pages itself (the endpoint answers with all of it). */
export const CLIENT_PAGE_SIZE = 50;

/**
 * A DataTable of a whole list, one page at a time, with the pager above and below when there is more
 * than one page.
 */
export function PagedDataTable<T>({ pageSize = CLIENT_PAGE_SIZE, ...props }: DataTableProps<T> & { pageSize?: number }) {
  const pages = useClientPages(props.items, pageSize);
  const pager = (where: string) =>
    pages.pageCount > 1 ? <ClientPager pages={pages} total={props.items.length} label={`Pages of ${props.caption}, ${where}`} /> : null;
  return (
    <>
      {pager('top')}
      <DataTable {...props} items={pages.items} />
      {pager('bottom')}
    </>
  );
}

interface RequestsTableProps {
  platform: Platform;
  caption: string;
  items: readonly AccessRequest[];
  columns: readonly CommonColumnId[];
  busy?: boolean;
  sort?: SortState;
  /** Page the list in the browser, this many rows a page (for endpoints that answer with all rows). */
  pageSize?: number;
}

export function RequestsTable({ platform, caption, items, columns, busy, sort, pageSize }: RequestsTableProps) {
  const props = { caption, items, columns: requestColumns(platform, columns), rowKey: requestKey, busy, sort };
  return pageSize === undefined ? <DataTable {...props} /> : <PagedDataTable {...props} pageSize={pageSize} />;
}
