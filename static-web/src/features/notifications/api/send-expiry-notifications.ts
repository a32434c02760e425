import { apiRequest, unexpectedAnswer } from '../../../lib/api-client';
import type { Platform } from '../../../lib/platforms';
import { jobAnswer } from '../../jobs/api/job-answer';
import type { JobAnswer, JobStarted } from '../../jobs/types';
import type { ReminderType } from '../../requests/types';
import { testModeQuery, type TestMode } from '../test-mode';

export interface SentNotification {
  requestId: string | number;
  /** What people know the request by: its request number (Databricks) or project (Palantir). */
  requestLabel?: string | null;
  email: string;
  reminderType: ReminderType;
  daysLeft: number;
  sentAt: string;
}

export interface FailedNotification {
  requestId: string | number;
  requestLabel?: string | null;
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
  /** Reminders the run left for the next one (its time budget or lease ran out). */
  notStarted?: number;
}

export interface SendNotificationsOptions {
  testMode: TestMode;
  failEmails: readonly string[];
}

/**
 * POST /api/{p}/access-requests/send-expiry-notifications[?simulateFailures=true][&failEmail=...]
 * — 200 with the result, 202 when the run goes on in the background, 409 (ApiError) when the job is
 * already running.
 */
export async function sendExpiryNotifications(
  platform: Platform,
  { testMode, failEmails }: SendNotificationsOptions,
): Promise<JobAnswer<NotificationJobResult>> {
  const response = await apiRequest<NotificationJobResult | JobStarted>(
    `/${platform}/access-requests/send-expiry-notifications`,
    { method: 'POST', query: testModeQuery(testMode, failEmails) },
  );
  return jobAnswer(response, readNotificationResult);
}

/** The result with its lists present, whichever answer (the 200, or the run's record) carried it. */
export function readNotificationResult(data: NotificationJobResult): NotificationJobResult {
  if (typeof data.notifiedCount !== 'number') throw unexpectedAnswer(200, 'no notifiedCount');
  return {
    ...data,
    notifications: Array.isArray(data.notifications) ? data.notifications : [],
    failures: Array.isArray(data.failures) ? data.failures : [],
    performance: data.performance ?? null,
  };
}
