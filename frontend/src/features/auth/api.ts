import { api, unwrap } from '@/api/client';
import { endSession, startSession } from '@/api/session';

export interface Credentials {
  username: string;
  password: string;
  /** Only once the server asked for it (`mfa_required`). */
  totpCode?: string;
}

/** Signs in; the server sets the refresh cookie and the access token stays in memory. */
export async function signIn({ username, password, totpCode }: Credentials): Promise<void> {
  const token = await unwrap(
    api.POST('/api/v1/auth/login', {
      body: { username, password, ...(totpCode ? { totp_code: totpCode } : {}) },
    }),
  );
  startSession(token);
}

/** Ends the session on the server (the refresh cookie is revoked and cleared), then here. */
export async function signOut(): Promise<void> {
  try {
    await unwrap(api.POST('/api/v1/auth/logout'));
  } finally {
    // Signed out locally even when the server cannot be reached: the token is gone from memory.
    endSession(null);
  }
}
