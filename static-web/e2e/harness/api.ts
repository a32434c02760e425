/** Test data through the real HTTP API (never SQL), and reads the tests check the pages against. */

export type Platform = 'databricks' | 'palantir';
export const PLATFORMS: readonly Platform[] = ['databricks', 'palantir'];

/** Exactly one of these per request (DESIGN §6). -1 days: already expired (test mode only). */
export type Expiry = { expiresInDays: number } | { neverExpires: true } | { expiresOn: string };

export interface CreatedRequest {
  /** The platform key: `id` (Databricks) or `requestId` (Palantir). */
  key: string;
  requestedByEmail: string;
  /** What identifies the row on the pages: the request number or the project ID. */
  label: string;
  body: Record<string, unknown>;
}

export interface ActiveJob {
  jobId: string;
  jobType: string;
  startedAt: string;
  startedBy: string;
}

export interface JobStatus {
  isLocked: boolean;
  activeJob: ActiveJob | null;
}

export interface JobRun {
  jobId: string;
  jobType: string;
  status: string;
  startedAt: string;
  startedBy: string;
  completedAt: string | null;
  processedCount: number | null;
  failedCount: number | null;
  errorMessage: string | null;
}

async function call(baseURL: string, method: string, path: string, body?: unknown): Promise<{ status: number; data: unknown }> {
  const response = await fetch(`${baseURL}/api${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, data: text ? (JSON.parse(text) as unknown) : null };
}

async function ok<T>(baseURL: string, method: string, path: string, body?: unknown): Promise<T> {
  const { status, data } = await call(baseURL, method, path, body);
  if (status < 200 || status > 299) {
    throw new Error(`${method} /api${path} answered ${status}: ${JSON.stringify(data)}`);
  }
  return data as T;
}

/**
 * POST /api/{p}/access-requests with the platform's required fields; `name` makes the request
 * number / project ID and the email unique and recognisable.
 */
export async function createRequest(baseURL: string, platform: Platform, name: string, expiry: Expiry): Promise<CreatedRequest> {
  const email = `${name}@example.com`;
  const body: Record<string, unknown> =
    platform === 'databricks'
      ? { requestNumber: name.toUpperCase(), requestType: 'Read', requestedBy: `Person ${name}`, requestedByEmail: email, ...expiry }
      : { projectId: name.toUpperCase(), requestType: 'Viewer', requestedByEmail: email, ...expiry };
  const created = await ok<Record<string, unknown>>(baseURL, 'POST', `/${platform}/access-requests`, body);
  const key = platform === 'databricks' ? created.id : created.requestId;
  return { key: String(key), requestedByEmail: email, label: name.toUpperCase(), body };
}

export function jobStatus(baseURL: string, platform: Platform, kind: 'revoke' | 'notification'): Promise<JobStatus> {
  return ok<JobStatus>(baseURL, 'GET', `/${platform}/access-requests/${kind}-job-status`);
}

export function jobRuns(baseURL: string, platform: Platform): Promise<JobRun[]> {
  return ok<JobRun[]>(baseURL, 'GET', `/${platform}/jobs`);
}

export function pendingNotifications(baseURL: string, platform: Platform): Promise<Record<string, unknown>[]> {
  return ok<Record<string, unknown>[]>(baseURL, 'GET', `/${platform}/access-requests/pending-notifications`);
}

/** Runs a job through the API and returns its status code and body (200 result or 409 problem). */
export function runJob(
  baseURL: string,
  platform: Platform,
  kind: 'revoke' | 'notification',
  query = '',
): Promise<{ status: number; data: unknown }> {
  const path = kind === 'revoke' ? 'revoke-expired' : 'send-expiry-notifications';
  return call(baseURL, 'POST', `/${platform}/access-requests/${path}${query}`);
}
