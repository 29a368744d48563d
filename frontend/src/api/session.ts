// The signed-in session: the access token lives in this module's memory only (never in
// localStorage, where any injected script could read it). The refresh token is an httpOnly
// cookie scoped to /api/v1/auth that this code never sees; exchanging it is the only way to get
// a new access token, on start-up (a reload), shortly before expiry, and after a 401.
import type { AccessToken } from './types';

export type SessionStatus = 'checking' | 'signed-in' | 'signed-out';

export interface SessionState {
  status: SessionStatus;
  /** Why the previous session ended, when it did not end by signing out (shown on the login page). */
  endedReason: string | null;
}

export const REFRESH_PATH = '/api/v1/auth/refresh';

/** The session is refreshed this long before the access token expires. */
const REFRESH_LEAD_SECONDS = 60;

let state: SessionState = { status: 'checking', endedReason: null };
let accessToken: string | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let inFlightRefresh: Promise<boolean> | null = null;
const listeners = new Set<() => void>();

function setState(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function getSessionState(): SessionState {
  return state;
}

export function getAccessToken(): string | null {
  return accessToken;
}

export function startSession(token: AccessToken): void {
  accessToken = token.access_token;
  scheduleRefresh(token.expires_in);
  if (state.status !== 'signed-in') setState({ status: 'signed-in', endedReason: null });
}

export function endSession(reason: string | null = null): void {
  accessToken = null;
  clearTimeout(refreshTimer);
  setState({ status: 'signed-out', endedReason: reason });
}

function scheduleRefresh(expiresInSeconds: number): void {
  clearTimeout(refreshTimer);
  // At least half-way through the token's life, so a short-lived token is not refreshed at once.
  const lead = Math.min(REFRESH_LEAD_SECONDS, expiresInSeconds / 2);
  const delayMs = Math.max(1, expiresInSeconds - lead) * 1000;
  refreshTimer = setTimeout(() => void refreshSession(), delayMs);
}

/**
 * Exchanges the refresh cookie for a new access token. Concurrent callers share one exchange:
 * the server rotates the cookie on every refresh and treats a second use of the old one as a
 * replay that ends the whole session, so two parallel refreshes would sign the user out.
 */
export function refreshSession(): Promise<boolean> {
  inFlightRefresh ??= withCrossTabLock(exchangeRefreshCookie).finally(() => {
    inFlightRefresh = null;
  });
  return inFlightRefresh;
}

/** Tabs share the cookie, so they take turns too (each then spends the cookie the last one set). */
async function withCrossTabLock<T>(work: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && 'locks' in navigator) {
    return navigator.locks.request('opsdeck-session-refresh', work);
  }
  return work();
}

async function exchangeRefreshCookie(): Promise<boolean> {
  let response: Response;
  try {
    response = await fetch(new URL(REFRESH_PATH, globalThis.location.origin), {
      method: 'POST',
      credentials: 'same-origin',
    });
  } catch {
    // Unreachable server: a signed-in user keeps their token (requests will tell); a start-up
    // check must end somewhere, so it lands on the login page with the reason.
    if (state.status === 'checking') endSession('The server could not be reached. Try again in a moment.');
    return false;
  }
  if (!response.ok) {
    const wasSignedIn = state.status === 'signed-in';
    endSession(wasSignedIn ? 'Your session has ended. Please sign in again.' : null);
    return false;
  }
  startSession((await response.json()) as AccessToken);
  return true;
}

/** Back to the state of a fresh page load. Tests only: a real page starts this way once. */
export function resetSessionForTests(): void {
  accessToken = null;
  inFlightRefresh = null;
  clearTimeout(refreshTimer);
  state = { status: 'checking', endedReason: null };
}
