import { useEffect, type ReactNode } from 'react';

import { getSessionState, refreshSession } from '@/api/session';
import { Button } from '@/components/Button';
import { ErrorState, LoadingState } from '@/components/states';
import { useMe, useSession } from '@/lib/use-session';

import { LoginPage } from '@/features/auth/LoginPage';
import { MfaEnrollmentPage } from '@/features/auth/MfaEnrollmentPage';
import { useSignOut } from '@/features/auth/use-sign-out';

import { AppShell } from './AppShell';
import { AppRoutes } from './routes';

/**
 * Signed out, any address shows the login form; once signed in, the same address shows its
 * screen, so a deep link survives the detour through the login.
 */
export function App() {
  const session = useSession();

  useEffect(() => {
    // A reload loses the in-memory token: the refresh cookie, if still valid, restores the session.
    if (getSessionState().status === 'checking') void refreshSession();
  }, []);

  if (session.status === 'checking') return <FullPage><LoadingState label="Restoring your session…" /></FullPage>;
  if (session.status === 'signed-out') return <LoginPage />;
  return <SignedInApp />;
}

function SignedInApp() {
  const me = useMe();
  const signOut = useSignOut();

  if (me.isPending) return <FullPage><LoadingState label="Loading your workspace…" /></FullPage>;
  if (me.isError) {
    return (
      <FullPage>
        <ErrorState error={me.error} title="Your profile could not be loaded" onRetry={() => void me.refetch()} />
        <Button variant="ghost" onClick={() => signOut.mutate()}>
          Sign out
        </Button>
      </FullPage>
    );
  }
  if (me.data.mfa_enrollment_required) return <MfaEnrollmentPage />;
  return (
    <AppShell me={me.data}>
      <AppRoutes />
    </AppShell>
  );
}

function FullPage({ children }: { children: ReactNode }) {
  return <main className="full-page">{children}</main>;
}
