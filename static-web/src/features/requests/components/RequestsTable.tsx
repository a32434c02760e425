import type { ReactNode } from 'react';
import { DateTime } from '../../../components/DateTime';
import { StatusBadge } from '../../../components/StatusBadge';
import { TableRegion } from '../../../components/TableRegion';
import type { Platform } from '../../../lib/platforms';
import { isPalantirRequest, requestKey, type AccessRequest } from '../types';

export interface Column<T> {
  id: string;
  header: string;
  cell: (item: T) => ReactNode;
}

/** The columns that identify a request: the only place where the two platforms' fields differ. */
const IDENTITY_COLUMNS: Record<Platform, Column<AccessRequest>[]> = {
  databricks: [
    {
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
    {
      id: 'requestedBy',
      header: 'Requested by',
      cell: (item) =>
        isPalantirRequest(item) ? null : (
          <>
            <span>{item.requestedBy}</span>
            <span className="sub">{item.requestedByEmail}</span>
            {item.requestedByAdId ? <span className="sub">AD {item.requestedByAdId}</span> : null}
          </>
        ),
    },
  ],
  palantir: [
    {
      id: 'project',
      header: 'Project',
      cell: (item) =>
        isPalantirRequest(item) ? (
          <>
            <span className="strong">{item.projectId}</span>
            {item.projectRid ? <span className="sub">{item.projectRid}</span> : null}
            <span className="sub mono" title="Request ID">
              {item.requestId}
            </span>
          </>
        ) : null,
    },
    {
      id: 'requestedBy',
      header: 'Requested by',
      cell: (item) => item.requestedByEmail,
    },
  ],
};

export const COMMON_COLUMNS = {
  type: { id: 'type', header: 'Type', cell: (item) => item.requestType },
  justification: {
    id: 'justification',
    header: 'Justification',
    cell: (item) => (isPalantirRequest(item) && item.justification ? item.justification : <span className="muted">—</span>),
  },
  status: { id: 'status', header: 'Status', cell: (item) => <StatusBadge status={item.status} /> },
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

export type CommonColumnId = keyof typeof COMMON_COLUMNS;

/** The platform's identity columns followed by the chosen common ones (Justification only exists for Palantir). */
export function requestColumns(platform: Platform, ids: readonly CommonColumnId[]): Column<AccessRequest>[] {
  const common = ids
    .filter((id) => id !== 'justification' || platform === 'palantir')
    .map((id) => COMMON_COLUMNS[id] as Column<AccessRequest>);
  return [...IDENTITY_COLUMNS[platform], ...common];
}

interface DataTableProps<T> {
  caption: string;
  items: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (item: T) => string;
  busy?: boolean;
  rowClassName?: (item: T) => string | undefined;
}

/** A real <table> with a caption and <th scope="col"> header cells. */
export function DataTable<T>({ caption, items, columns, rowKey, busy = false, rowClassName }: DataTableProps<T>) {
  return (
    <TableRegion label={caption} busy={busy}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.id} scope="col">
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

interface RequestsTableProps {
  platform: Platform;
  caption: string;
  items: readonly AccessRequest[];
  columns: readonly CommonColumnId[];
  busy?: boolean;
}

export function RequestsTable({ platform, caption, items, columns, busy }: RequestsTableProps) {
  return (
    <DataTable
      caption={caption}
      items={items}
      columns={requestColumns(platform, columns)}
      rowKey={requestKey}
      busy={busy}
    />
  );
}
