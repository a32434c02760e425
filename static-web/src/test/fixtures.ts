import type {
  AccessRequestBase,
  DatabricksRequest,
  PalantirRequest,
  PendingNotification,
} from '../features/requests/types';

/** What every platform's item has: an Active request with no reminders and no revocation. */
const BASE: Omit<AccessRequestBase, 'requestType' | 'requestedByEmail'> = {
  status: 'Active',
  expiresOn: '2025-01-01T00:00:00Z',
  createdAt: '2024-12-01T09:30:00Z',
  revokedDt: null,
  revokedBy: null,
  notificationCount: 0,
  lastNotificationType: null,
  lastNotificationDt: null,
};

export function databricksRequest(overrides: Partial<DatabricksRequest> = {}): DatabricksRequest {
  return {
    ...BASE,
    id: 1,
    requestNumber: 'DBR-0001',
    requestType: 'Read',
    requestedByAdId: null,
    requestedBy: 'Alice Example',
    requestedByEmail: 'alice@example.com',
    ...overrides,
  };
}

export function palantirRequest(overrides: Partial<PalantirRequest> = {}): PalantirRequest {
  return {
    ...BASE,
    requestId: '6f1c1a9e-0000-4000-8000-000000000001',
    projectId: 'PRJ-1',
    projectRid: 'ri.compass.main.folder.1',
    requestType: 'Write',
    justification: 'Quarterly report',
    requestedByEmail: 'pat@example.com',
    ...overrides,
  };
}

export function pendingNotification(
  overrides: Partial<DatabricksRequest> & Partial<Pick<PendingNotification, 'daysLeft' | 'reminderType'>> = {},
): PendingNotification {
  const { daysLeft = 20, reminderType = '30-Day Reminder', ...rest } = overrides;
  return { ...databricksRequest(rest), daysLeft, reminderType };
}

export const ACTIVE_JOB = {
  jobId: '0b7c1c52-1111-4222-8333-444455556666',
  jobType: 'RevokeExpiredDatabricks',
  startedAt: '2025-03-04T10:15:30Z',
  startedBy: 'func-host-2',
};
