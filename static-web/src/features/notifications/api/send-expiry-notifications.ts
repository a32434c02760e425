import { apiRequest } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import type { ReminderType } from '../../requests/types';
import { testModeQuery, type TestMode } from '../test-mode';

export interface SentNotification {
  requestId: string | number;
  email: string;
  reminderType: ReminderType;
  daysLeft: number;
  sentAt: string;
}

export interface FailedNotification {
  requestId: string | number;
  email: string;
  reminderType: ReminderType;
  error: string;
}

export interface NotificationPerformance {
  parallelMs: number;
  estimatedSequentialMs: number;
  speedup: number;
}

export interface NotificationJobResult {
  message: string;
  jobId: string;
  notifiedCount: number;
  failedCount: number;
  notifications: SentNotification[];
  failures: FailedNotification[];
  performance: NotificationPerformance | null;
  lockLost?: boolean;
}

export interface SendNotificationsOptions {
  testMode: TestMode;
  failEmails: readonly string[];
}

/**
 * POST /api/{p}/access-requests/send-expiry-notifications[?simulateFailures=true][&failEmail=...]
 * — 200 with the result, 409 (ApiError) when the job is already running.
 */
export async function sendExpiryNotifications(
  platform: Platform,
  { testMode, failEmails }: SendNotificationsOptions,
): Promise<NotificationJobResult> {
  const { data } = await apiRequest<NotificationJobResult>(
    `/${platform}/access-requests/send-expiry-notifications`,
    { method: 'POST', query: testModeQuery(testMode, failEmails) },
  );
  return {
    ...data,
    notifications: Array.isArray(data.notifications) ? data.notifications : [],
    failures: Array.isArray(data.failures) ? data.failures : [],
    performance: data.performance ?? null,
  };
}
