import type { ComponentType } from 'react';
import type { Platform } from '../lib/platforms';
import DatabricksAllRequests from './DatabricksAllRequests';
import DatabricksCreateRequest from './DatabricksCreateRequest';
import DatabricksExpiryNotifications from './DatabricksExpiryNotifications';
import DatabricksJobHistory from './DatabricksJobHistory';
import DatabricksPendingExpiry from './DatabricksPendingExpiry';
import DatabricksRevokeExpired from './DatabricksRevokeExpired';
import PalantirAllRequests from './PalantirAllRequests';
import PalantirCreateRequest from './PalantirCreateRequest';
import PalantirExpiryNotifications from './PalantirExpiryNotifications';
import PalantirJobHistory from './PalantirJobHistory';
import PalantirPendingExpiry from './PalantirPendingExpiry';
import PalantirRevokeExpired from './PalantirRevokeExpired';

/** The pages of one platform, by path under /{platform}/ (DESIGN §7 route contract). */
export const SECTIONS = [
  { path: 'requests', label: 'All Requests' },
  { path: 'requests/new', label: 'Create Request' },
  { path: 'pending-expiry', label: 'Pending Expiry' },
  { path: 'notifications', label: 'Expiry Notifications' },
  { path: 'revoke', label: 'Revoke Expired' },
  { path: 'jobs', label: 'Job History' },
] as const;

export type SectionPath = (typeof SECTIONS)[number]['path'];

/** The SPEC's per-platform page files, each a thin wrapper around the shared page taking `platform`. */
export const PLATFORM_PAGES: Record<Platform, Record<SectionPath, ComponentType>> = {
  databricks: {
    requests: DatabricksAllRequests,
    'requests/new': DatabricksCreateRequest,
    'pending-expiry': DatabricksPendingExpiry,
    notifications: DatabricksExpiryNotifications,
    revoke: DatabricksRevokeExpired,
    jobs: DatabricksJobHistory,
  },
  palantir: {
    requests: PalantirAllRequests,
    'requests/new': PalantirCreateRequest,
    'pending-expiry': PalantirPendingExpiry,
    notifications: PalantirExpiryNotifications,
    revoke: PalantirRevokeExpired,
    jobs: PalantirJobHistory,
  },
};
