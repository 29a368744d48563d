import { describe, expect, it } from 'vitest';

import { mockApi, json, problem } from '@/test/api-mock';
import { staffMe } from '@/test/fixtures';
import { signInForTest } from '@/test/render';

import { api, unwrap } from './client';
import { ApiError } from './problem';
import { getAccessToken, getSessionState } from './session';

const freshToken = { access_token: 'fresh-token', token_type: 'Bearer', expires_in: 900 };

/** A /me that accepts only the fresh token, as the server does once the old one expired. */
function meAcceptingOnly(token: string) {
  return (call: { headers: Headers }) =>
    call.headers.get('authorization') === `Bearer ${token}` ? json(staffMe) : problem(401, 'unauthenticated', 'the access token has expired');
}

describe('the API client', () => {
  it('sends the in-memory access token as a bearer token', async () => {
    signInForTest('token-1');
    const mock = mockApi({ 'GET /api/v1/me': staffMe });

    await expect(unwrap(api.GET('/api/v1/me'))).resolves.toEqual(staffMe);
    expect(mock.calls[0]?.headers.get('authorization')).toBe('Bearer token-1');
  });

  it('refreshes once on a 401 and replays the request with the new token', async () => {
    signInForTest('expired-token');
    const mock = mockApi({
      'GET /api/v1/me': meAcceptingOnly('fresh-token'),
      'POST /api/v1/auth/refresh': freshToken,
    });

    await expect(unwrap(api.GET('/api/v1/me'))).resolves.toEqual(staffMe);
    expect(mock.callsTo('POST', '/api/v1/auth/refresh')).toHaveLength(1);
    expect(mock.callsTo('GET', '/api/v1/me').map((call) => call.headers.get('authorization'))).toEqual([
      'Bearer expired-token',
      'Bearer fresh-token',
    ]);
    expect(getAccessToken()).toBe('fresh-token');
  });

  it('replays a request body too', async () => {
    signInForTest('expired-token');
    const mock = mockApi({
      'POST /api/v1/export-jobs/retry': (call) =>
        call.headers.get('authorization') === 'Bearer fresh-token' ? json({ retried: [], skipped: [] }) : problem(401, 'unauthenticated', 'expired'),
      'POST /api/v1/auth/refresh': freshToken,
    });

    await unwrap(api.POST('/api/v1/export-jobs/retry', { body: { ids: [4, 5] } }));
    expect(mock.callsTo('POST', '/api/v1/export-jobs/retry').map((call) => call.body)).toEqual([{ ids: [4, 5] }, { ids: [4, 5] }]);
  });

  it('sends every POST with an idempotency key of its own, and its replay with the same key', async () => {
    signInForTest('expired-token');
    const mock = mockApi({
      'POST /api/v1/export-jobs/retry': (call) =>
        call.headers.get('authorization') === 'Bearer fresh-token' ? json({ retried: [], skipped: [] }) : problem(401, 'unauthenticated', 'expired'),
      'POST /api/v1/auth/refresh': freshToken,
    });

    await unwrap(api.POST('/api/v1/export-jobs/retry', { body: { ids: [4] } }));
    await unwrap(api.POST('/api/v1/export-jobs/retry', { body: { ids: [4] } }));
    const keys = mock.callsTo('POST', '/api/v1/export-jobs/retry').map((call) => call.headers.get('idempotency-key'));
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[!-~]{1,255}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(mock.callsTo('POST', '/api/v1/auth/refresh')[0]?.headers.get('idempotency-key')).toBeNull();
  });

  it('shares one refresh between requests that fail together (the cookie rotates on each use)', async () => {
    signInForTest('expired-token');
    const mock = mockApi({
      'GET /api/v1/me': meAcceptingOnly('fresh-token'),
      'GET /api/v1/tenants': (call) =>
        call.headers.get('authorization') === 'Bearer fresh-token' ? json({ items: [], next_cursor: null }) : problem(401, 'unauthenticated', 'expired'),
      'POST /api/v1/auth/refresh': async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return json(freshToken);
      },
    });

    await Promise.all([unwrap(api.GET('/api/v1/me')), unwrap(api.GET('/api/v1/tenants')), unwrap(api.GET('/api/v1/me'))]);
    expect(mock.callsTo('POST', '/api/v1/auth/refresh')).toHaveLength(1);
  });

  it('ends the session when the refresh cookie is refused, and reports the original 401', async () => {
    signInForTest('expired-token');
    mockApi({
      'GET /api/v1/me': problem(401, 'unauthenticated', 'the access token has expired'),
      'POST /api/v1/auth/refresh': problem(401, 'unauthenticated', 'the refresh token was revoked'),
    });

    const failure = unwrap(api.GET('/api/v1/me'));
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ status: 401, message: 'the access token has expired' });
    expect(getSessionState()).toEqual({ status: 'signed-out', endedReason: 'Your session has ended. Please sign in again.' });
    expect(getAccessToken()).toBeNull();
  });

  it('never sends a bearer token to, nor retries, the session endpoints', async () => {
    signInForTest('some-token');
    const mock = mockApi({ 'POST /api/v1/auth/login': problem(401, 'bad_credentials', 'wrong username or password') });

    await expect(unwrap(api.POST('/api/v1/auth/login', { body: { username: 'a', password: 'b' } }))).rejects.toMatchObject({
      code: 'bad_credentials',
    });
    expect(mock.calls).toHaveLength(1);
    expect(mock.calls[0]?.headers.get('authorization')).toBeNull();
  });

  it('turns a problem+json answer into an ApiError with its detail, code and request id', async () => {
    signInForTest();
    mockApi({ 'GET /api/v1/export-jobs/:id': problem(404, 'not_found', 'no export job 9 in your scope') });

    await expect(unwrap(api.GET('/api/v1/export-jobs/{id}', { params: { path: { id: 9 } } }))).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
      message: 'no export job 9 in your scope',
      requestId: 'req-test-0001',
    });
  });
});
