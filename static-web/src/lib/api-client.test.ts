import { describe, expect, it, vi } from 'vitest';
import { renderHook } from '@testing-library/react';
import { html, json, mockApi, problem, signInRedirect } from '../test/mock-api';
import { ApiError, apiRequest, apiUrl, SessionEndedError } from './api-client';
import { useSessionEnded } from './session';

const LOGIN_PAGE = '<!doctype html><html><body><form action="/.auth/login/aad/callback"><h1>Sign in</h1></form></body></html>';


describe('apiUrl', () => {
  it('prefixes /api, repeats array parameters and drops empty ones', () => {
    expect(apiUrl('/x/y', { a: 1, b: ['p', 'q'], c: undefined, d: null, e: true })).toBe('/api/x/y?a=1&b=p&b=q&e=true');
  });
});

describe('apiRequest', () => {
  it('returns the JSON body and headers', async () => {
    mockApi({ 'GET /api/things': json([1, 2], 200, { 'X-Total-Count': '9' }) });
    const { data, headers } = await apiRequest<number[]>('/things');
    expect(data).toEqual([1, 2]);
    expect(headers.get('X-Total-Count')).toBe('9');
  });

  it('sends a JSON body on POST', async () => {
    const api = mockApi({ 'POST /api/things': json({ ok: true }, 201) });
    await apiRequest('/things', { method: 'POST', body: { a: 1 } });
    const init = api.fetchMock.mock.calls[0]?.[1];
    expect(init?.headers).toMatchObject({ 'Content-Type': 'application/json' });
    expect(api.calls[0]?.body).toEqual({ a: 1 });
  });

  it('turns problem+json into an ApiError with words, field errors and the active job', async () => {
    mockApi({
      'POST /api/run': problem(409, 'Job already running', {
        detail: 'Another server holds the lock.',
        activeJob: { jobId: 'j1', jobType: 'RevokeExpiredPalantir', startedAt: '2025-01-01T00:00:00Z', startedBy: 'host-a' },
        errors: [{ field: 'x', message: 'bad' }],
      }),
    });
    const error = await apiRequest('/run', { method: 'POST' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(409);
    expect(apiError.message).toBe('Job already running: Another server holds the lock.');
    expect(apiError.activeJob).toEqual({ jobId: 'j1', jobType: 'RevokeExpiredPalantir', startedAt: '2025-01-01T00:00:00Z', startedBy: 'host-a' });
    expect(apiError.fieldErrors).toEqual([{ field: 'x', message: 'bad' }]);
  });

  it('lists field errors in the message when there is no detail', async () => {
    mockApi({ 'POST /api/things': problem(422, 'Invalid request', { errors: [{ field: 'requestedByEmail', message: 'is required' }] }) });
    await expect(apiRequest('/things', { method: 'POST', body: {} })).rejects.toThrow('Invalid request: requestedByEmail is required.');
  });

  it('describes a non-JSON error by its status', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }))));
    await expect(apiRequest('/x')).rejects.toThrow('The API is not reachable right now (bad gateway).');
  });

  it('says the API could not be reached when fetch itself fails', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))));
    const error = (await apiRequest('/x').catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.message).toMatch(/^Could not reach the API/);
  });

  it('given SWA redirects the call to its login page (session ended), raises SessionEndedError and flags the session', async () => {
    mockApi({ 'GET /api/things': signInRedirect() });
    const session = renderHook(() => useSessionEnded());
    expect(session.result.current).toBe(false);

    const error = await apiRequest('/things').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionEndedError);
    expect((error as ApiError).message).toBe('Your session has ended — sign in again.');
    session.rerender();
    expect(session.result.current).toBe(true);
  });

  it('does not follow redirects, so a login page on another origin cannot end in a network error', async () => {
    const api = mockApi({ 'GET /api/things': json([]) });
    await apiRequest('/things');
    expect(api.fetchMock.mock.calls[0]?.[1]?.redirect).toBe('manual');
  });

  it.each([
    ['a 401', problem(401, 'Unauthorized')],
    ['a login page served in place (200, HTML)', html(LOGIN_PAGE)],
  ])('given %s, raises SessionEndedError', async (_, reply) => {
    mockApi({ 'GET /api/things': reply });
    await expect(apiRequest('/things')).rejects.toBeInstanceOf(SessionEndedError);
  });

  it.each([
    ['another web page', html('<html><body>Welcome</body></html>'), 'a web page instead of JSON'],
    ['an empty 200', { status: 200 }, 'an empty answer'],
    ['JSON that does not parse', { status: 200, text: '{"items": [' }, 'unreadable JSON'],
    ['a JSON string', { status: 200, text: '"ok"' }, 'unreadable JSON'],
  ])('given %s, raises an error instead of returning it as data', async (_, reply, why) => {
    mockApi({ 'GET /api/things': reply });
    const error = await apiRequest('/things').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).not.toBeInstanceOf(SessionEndedError);
    expect((error as ApiError).message).toContain(why);
  });

  it('given a list endpoint that answers an object, raises an error (never an empty list)', async () => {
    mockApi({ 'GET /api/things': json({ items: [] }) });
    await expect(apiRequest('/things', { expect: 'array' })).rejects.toThrow(/not a list/);
  });

  it('given an ended session, the next real answer (signed in again elsewhere) clears the flag', async () => {
    const api = mockApi({ 'GET /api/things': signInRedirect() });
    const session = renderHook(() => useSessionEnded());
    await apiRequest('/things').catch(() => undefined);
    session.rerender();
    expect(session.result.current).toBe(true);

    api.set('GET /api/things', json([1]));
    await apiRequest('/things');
    session.rerender();
    expect(session.result.current).toBe(false);
  });
});
