import createClient, { type Middleware } from 'openapi-fetch';

import { apiErrorFrom } from './problem';
import type { paths } from './schema';
import { getAccessToken, refreshSession } from './session';

/** Endpoints that manage the session themselves: no bearer token, no refresh-and-replay. */
function isSessionEndpoint(schemaPath: string): boolean {
  return schemaPath === '/api/v1/auth/login' || schemaPath === '/api/v1/auth/refresh' || schemaPath === '/api/v1/auth/logout';
}

interface SentRequest {
  /** An unread copy, since the request sent has spent its body. */
  copy: Request;
  /** The token it carried, to tell "expired" from "already refreshed by another request". */
  token: string | null;
}

const sentRequests = new Map<string, SentRequest>();

/** 128 random bits in hex (`crypto.randomUUID` exists only in secure contexts). */
function randomKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Adds the bearer token to every API call; when one is answered 401 (the token expired), gets a
 * new token through the refresh cookie once and replays the call. A second 401 is the answer.
 * Every POST carries an `Idempotency-Key` (kept by its replay), so a retried request never acts twice.
 */
export const sessionMiddleware: Middleware = {
  onRequest({ request, schemaPath, id }) {
    if (isSessionEndpoint(schemaPath)) return request;
    const token = getAccessToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    if (request.method === 'POST' && !request.headers.has('Idempotency-Key')) {
      request.headers.set('Idempotency-Key', randomKey());
    }
    sentRequests.set(id, { copy: request.clone(), token });
    return request;
  },
  async onResponse({ response, id, options }) {
    const sent = sentRequests.get(id);
    sentRequests.delete(id);
    if (response.status !== 401 || !sent) return response;
    const tokenChangedMeanwhile = getAccessToken() !== null && getAccessToken() !== sent.token;
    const refreshed = tokenChangedMeanwhile || (await refreshSession());
    const token = getAccessToken();
    if (!refreshed || !token) return response;
    const replay = new Request(sent.copy);
    replay.headers.set('Authorization', `Bearer ${token}`);
    return options.fetch(replay);
  },
  onError({ id }) {
    sentRequests.delete(id);
  },
};

export const api = createClient<paths>({
  // Absolute, because a Request cannot be built from a relative URL outside a document (tests).
  baseUrl: globalThis.location.origin,
  // Looked up at call time, so tests can stub the global fetch.
  fetch: (request) => globalThis.fetch(request),
});
api.use(sessionMiddleware);

/** The data type of an openapi-fetch result's success branch. */
type SuccessData<R> = R extends { data: infer D; error?: never } ? D : never;

/** Awaits an openapi-fetch call: its data, or an ApiError carrying the server's problem. */
export async function unwrap<R extends { error?: unknown; response: Response }>(call: Promise<R>): Promise<SuccessData<R>> {
  const result = await call;
  if (result.error !== undefined || !result.response.ok) {
    throw apiErrorFrom(result.response, result.error);
  }
  // openapi-fetch sets `data` on every 2xx answer (undefined for an empty body, as typed).
  return (result as unknown as { data: SuccessData<R> }).data;
}
