import { describe, expect, it, vi } from 'vitest';
import { json, mockApi, problem } from '../test/mock-api';
import { ApiError, apiRequest, apiUrl } from './api-client';

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
});
