/**
 * The one place that talks HTTP to the Functions app. Every fetcher in src/features/<feature>/api/
 * goes through apiRequest(), so errors always arrive as an ApiError whose message is readable words:
 * the server's problem+json (RFC 9457) title and detail when it sent one, a plain explanation otherwise.
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

const STATUS_WORDS: Record<number, string> = {
  400: 'The request was not accepted',
  401: 'You are not signed in (or your session expired). Sign in again and retry',
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
}

export interface ApiResponse<T> {
  data: T;
  headers: Headers;
  status: number;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.length === 0) return null;
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const { method = 'GET', query, body, signal } = options;
  const init: RequestInit = {
    method,
    headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    credentials: 'same-origin',
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

  const parsed = await readBody(response);
  if (!response.ok) {
    const problem = toProblem(parsed);
    throw new ApiError(response.status, problemMessage(response.status, problem), problem);
  }
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
