import type { Platform } from '../../lib/platforms';

/** Fields every platform's request item carries under the same name (DESIGN §6). */
export interface AccessRequestBase {
  requestType: string;
  requestedByEmail: string;
  status: string;
  /** ISO-8601 UTC; null means "never expires". */
  expiresOn: string | null;
  createdAt: string | null;
  revokedDt: string | null;
  revokedBy: string | null;
  notificationCount: number;
  lastNotificationType: string | null;
  lastNotificationDt: string | null;
  /** Active but past its expiry (the revoke job has not taken it yet); absent from older APIs. */
  expired?: boolean;
}

export interface DatabricksRequest extends AccessRequestBase {
  id: number;
  requestNumber: string;
  requestedByAdId: string | null;
  requestedBy: string;
}

export interface PalantirRequest extends AccessRequestBase {
  requestId: string;
  projectId: string;
  projectRid: string | null;
  justification: string | null;
}

export interface PlatformRequests {
  databricks: DatabricksRequest;
  palantir: PalantirRequest;
}

export type AccessRequest = DatabricksRequest | PalantirRequest;

/** Items of GET pending-notifications: a request plus what the job would send it now. */
export type ReminderType = '30-Day Reminder' | '7-Day Reminder';

export type PendingNotification = AccessRequest & {
  daysLeft: number;
  notificationCount: number;
  reminderType: ReminderType;
};

export function isPalantirRequest(item: AccessRequest): item is PalantirRequest {
  return 'requestId' in item;
}

/** What an Active request past its expiry shows instead of a green "Active". */
export const AWAITING_REVOKE = 'Expired — awaiting revoke';

/**
 * Active and past its expiry, so its access is still granted until the next revoke run. The API says
 * so (`expired`); where it does not, the expiry is compared with `now`.
 */
export function awaitsRevoke(item: AccessRequestBase, now: number): boolean {
  if (item.expired !== undefined) return item.expired;
  if (item.status.toLowerCase() !== 'active' || !item.expiresOn) return false;
  const expires = Date.parse(item.expiresOn);
  return !Number.isNaN(expires) && expires <= now;
}

/** The platform's primary key as a string: `id` for Databricks, `requestId` for Palantir. */
export function requestKey(item: AccessRequest): string {
  return isPalantirRequest(item) ? item.requestId : String(item.id);
}

/** A short name for a request, for messages and labels. */
export function requestLabel(item: AccessRequest): string {
  if (isPalantirRequest(item)) return `project ${item.projectId} (${item.requestId})`;
  return item.requestNumber ? `request ${item.requestNumber}` : `request #${item.id}`;
}

export interface DatabricksCreateBody {
  requestNumber?: string;
  requestType: string;
  requestedByAdId?: string;
  requestedBy: string;
  requestedByEmail: string;
}

export interface PalantirCreateBody {
  projectId: string;
  projectRid?: string;
  requestType: string;
  justification?: string;
  requestedByEmail: string;
}

export type ExpiryChoice = { expiresOn: string } | { expiresInDays: number } | { neverExpires: true };

export type CreateRequestBody<P extends Platform = Platform> = (P extends 'databricks'
  ? DatabricksCreateBody
  : PalantirCreateBody) &
  ExpiryChoice;
