import { reportSessionAlive, reportSessionEnded } from './session';

/**
 * The one place that talks HTTP to the Functions app. Every fetcher in src/features/<feature>/api/
 * goes through apiRequest(), so errors always arrive as an ApiError whose message is readable words:
 * the server's problem+json (RFC 9457) title and detail when it sent one, a plain explanation otherwise.
 * An answer that is not the JSON the API sends (a sign-in page, HTML, nothing) is an error too, never data.
 */

export const API_BASE = '/api';

export interface ActiveJob {
  jobId: string;
  jobType: string;
  startedAt: string;
  startedBy: string;
}

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldError[];
  activeJob?: ActiveJob | null;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails | null;

  constructor(status: number, message: string, problem: ProblemDetails | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  get fieldErrors(): FieldError[] {
    return this.problem?.errors ?? [];
  }

  get activeJob(): ActiveJob | null {
    return this.problem?.activeJob ?? null;
  }
}

/** The sign-in session has ended (401, or SWA sent the call to its login page): sign in again. */
export class SessionEndedError extends ApiError {
  constructor() {
    super(401, 'Your session has ended — sign in again.');
    this.name = 'SessionEndedError';
  }
}

const STATUS_WORDS: Record<number, string> = {
  400: 'The request was not accepted',
  403: 'You do not have permission to do this',
  404: 'Not found',
  409: 'A job of this kind is already running',
  413: 'The request is too large',
  415: 'The request format is not supported',
  422: 'Some values are not valid',
  429: 'Too many requests; wait a moment and retry',
  500: 'The server hit an unexpected error',
  502: 'The API is not reachable right now (bad gateway)',
  503: 'The service is unavailable right now (the database may be unreachable)',
  504: 'The API took too long to answer',
};

function describeStatus(status: number): string {
  return STATUS_WORDS[status] ?? `The server answered with HTTP ${status}`;
}

/** Human-readable sentence for a problem+json body (title, then detail when it adds something). */
export function problemMessage(status: number, problem: ProblemDetails | null): string {
  const title = problem?.title?.trim();
  const detail = problem?.detail?.trim();
  const fieldErrors = problem?.errors ?? [];
  let text = title && title.length > 0 ? title : describeStatus(status);
  if (detail && detail.length > 0 && detail !== title) {
    text = `${text}: ${detail}`;
  } else if (fieldErrors.length > 0) {
    text = `${text}: ${fieldErrors.map((e) => `${e.field} ${e.message}`).join('; ')}`;
  }
  return text.endsWith('.') ? text : `${text}.`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toProblem(body: unknown): ProblemDetails | null {
  if (!isRecord(body)) return null;
  const problem: ProblemDetails = {};
  if (typeof body.type === 'string') problem.type = body.type;
  if (typeof body.title === 'string') problem.title = body.title;
  if (typeof body.status === 'number') problem.status = body.status;
  if (typeof body.detail === 'string') problem.detail = body.detail;
  if (Array.isArray(body.errors)) {
    problem.errors = body.errors.filter(isRecord).map((e) => ({
      field: typeof e.field === 'string' ? e.field : '',
      message: typeof e.message === 'string' ? e.message : 'is not valid',
    }));
  }
  if (isRecord(body.activeJob)) {
    const job = body.activeJob;
    const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
    problem.activeJob = {
      jobId: text(job.jobId),
      jobType: text(job.jobType),
      startedAt: text(job.startedAt),
      startedBy: text(job.startedBy),
    };
  }
  return problem;
}

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue | readonly QueryValue[]>;

/** Builds `/api/<path>?a=1&b=x&b=y`; arrays become repeated parameters, null/undefined are dropped. */
export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, raw] of Object.entries(query ?? {})) {
    const values: readonly QueryValue[] = Array.isArray(raw) ? raw : [raw as QueryValue];
    for (const value of values) {
      if (value !== null && value !== undefined) params.append(key, String(value));
    }
  }
  const qs = params.toString();
  const clean = path.startsWith('/') ? path : `/${path}`;
  return `${API_BASE}${clean}${qs ? `?${qs}` : ''}`;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** The endpoint answers a JSON array (lists); otherwise any JSON object or array is accepted. */
  expect?: 'array';
}

export interface ApiResponse<T> {
  data: T;
  headers: Headers;
  status: number;
}

function isJsonType(response: Response): boolean {
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * SWA sends an expired session's /api calls to its login page (302 to /.auth/login/...). Redirects
 * are not followed (redirect: 'manual'): the login page redirects on to Entra, another origin whose
 * answer fetch cannot read, so following would end in a network error. The API itself never
 * redirects, so any redirect is this one. A proxy that serves a login page in place (200, HTML)
 * or a 401 mean the same.
 */
function sentToSignIn(response: Response, text: string): boolean {
  if (response.type === 'opaqueredirect' || response.status === 401) return true;
  return response.ok && !isJsonType(response) && /\/\.auth\/|sign[ -]?in|log[ -]?in/i.test(text);
}

/** An answer in JSON, yet not the shape the endpoint promises. */
export function unexpectedAnswer(status: number, why: string): ApiError {
  return new ApiError(status, `The API's answer was not the data this page needs (${why}). Reload the page and retry.`);
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const { method = 'GET', query, body, signal, expect } = options;
  const init: RequestInit = {
    method,
    headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    credentials: 'same-origin',
    redirect: 'manual',
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (signal) init.signal = signal;

  let response: Response;
  try {
    response = await fetch(apiUrl(path, query), init);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(
      0,
      'Could not reach the API. Check that the service is running and that you are still signed in, then retry.',
    );
  }

  const text = await response.text();
  if (sentToSignIn(response, text)) {
    reportSessionEnded();
    throw new SessionEndedError();
  }
  const parsed = isJsonType(response) && text.length > 0 ? parseJson(text) : undefined;
  if (!response.ok) {
    const problem = toProblem(parsed);
    throw new ApiError(response.status, problemMessage(response.status, problem), problem);
  }
  if (!isJsonType(response)) {
    throw unexpectedAnswer(response.status, /^\s*</.test(text) ? 'a web page instead of JSON' : 'not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw unexpectedAnswer(response.status, text.length === 0 ? 'an empty answer' : 'unreadable JSON');
  }
  if (expect === 'array' && !Array.isArray(parsed)) throw unexpectedAnswer(response.status, 'not a list');
  reportSessionAlive();
  return { data: parsed as T, headers: response.headers, status: response.status };
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Words for any error a fetcher may throw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}
