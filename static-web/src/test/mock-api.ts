import { vi } from 'vitest';

/** What a mocked endpoint answers. */
export interface MockReply {
  status?: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, instead of body (HTML pages). */
  text?: string;
  headers?: Record<string, string>;
  /** A redirect that fetch did not follow (redirect: 'manual'): what SWA answers an expired session. */
  opaqueRedirect?: boolean;
}

export interface RecordedCall {
  method: string;
  /** Path without the query string, e.g. /api/databricks/jobs. */
  path: string;
  url: URL;
  body: unknown;
}

export type Handler = MockReply | ((call: RecordedCall) => MockReply | Promise<MockReply>);

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): MockReply => ({
  status,
  body,
  headers,
});

export const problem = (status: number, title: string, extra: Record<string, unknown> = {}): MockReply => ({
  status,
  body: { type: 'about:blank', title, status, ...extra },
  headers: { 'content-type': 'application/problem+json' },
});

/** A web page, e.g. a sign-in page served where JSON was expected. */
export const html = (text: string, status = 200): MockReply => ({
  status,
  text,
  headers: { 'content-type': 'text/html; charset=utf-8' },
});

/** SWA's answer to an /api call once the session has ended: a 302 to /.auth/login/aad. */
export const signInRedirect = (): MockReply => ({ opaqueRedirect: true });

/** Who /api/me says the caller is. */
export const ADMIN_ME = { name: 'local developer', roles: ['access-admin'], isAdmin: true, authMode: 'none', adminRole: 'access-admin' };
export const READER_ME = {
  name: 'kim@example.com',
  roles: ['access-reader', 'anonymous', 'authenticated'],
  isAdmin: false,
  authMode: 'swa',
  adminRole: 'access-admin',
};

/**
 * Stubs the global fetch (the app's only boundary to the API) with a table of
 * "METHOD /api/path" → reply. Unlisted endpoints answer 404 problem+json, so a test that forgot one
 * fails visibly instead of hanging.
 */
export function mockApi(routes: Record<string, Handler>) {
  const calls: RecordedCall[] = [];
  const table: Record<string, Handler> = {
    'GET /api/health': json({ status: 'ok', database: 'ok', testSimulation: true }),
    'GET /api/me': json(ADMIN_ME),
    ...routes,
  };
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input), 'http://localhost');
    const method = init?.method ?? 'GET';
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const call: RecordedCall = { method, path: url.pathname, url, body };
    calls.push(call);
    const handler = table[`${method} ${url.pathname}`];
    const reply: MockReply = handler
      ? typeof handler === 'function'
        ? await handler(call)
        : handler
      : problem(404, 'Not mocked', { detail: `${method} ${url.pathname}` });
    if (reply.opaqueRedirect) {
      // What fetch returns for a redirect it did not follow; Response cannot be built with status 0.
      const redirect = new Response(null, { status: 200 });
      Object.defineProperty(redirect, 'type', { value: 'opaqueredirect' });
      Object.defineProperty(redirect, 'status', { value: 0 });
      Object.defineProperty(redirect, 'ok', { value: false });
      return redirect;
    }
    const status = reply.status ?? 200;
    const contentType = status >= 400 ? 'application/problem+json' : 'application/json';
    const text = reply.text ?? (reply.body === undefined ? null : JSON.stringify(reply.body));
    return new Response(text, {
      status,
      headers: { 'content-type': contentType, ...reply.headers },
    });
  });
  vi.stubGlobal('fetch', fetchMock);

  return {
    fetchMock,
    calls,
    /** Calls to "METHOD /api/path" (query string ignored). */
    callsTo(key: string): RecordedCall[] {
      return calls.filter((c) => `${c.method} ${c.path}` === key);
    },
    /** Replace or add a route after setup. */
    set(key: string, handler: Handler) {
      table[key] = handler;
    },
  };
}
