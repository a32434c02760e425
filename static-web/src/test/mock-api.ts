import { vi } from 'vitest';

/** What a mocked endpoint answers. */
export interface MockReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
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

/**
 * Stubs the global fetch (the app's only boundary to the API) with a table of
 * "METHOD /api/path" → reply. Unlisted endpoints answer 404 problem+json, so a test that forgot one
 * fails visibly instead of hanging.
 */
export function mockApi(routes: Record<string, Handler>) {
  const calls: RecordedCall[] = [];
  const table: Record<string, Handler> = {
    'GET /api/health': json({ status: 'ok', database: 'ok', testSimulation: true }),
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
    const status = reply.status ?? 200;
    const contentType = status >= 400 ? 'application/problem+json' : 'application/json';
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
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
