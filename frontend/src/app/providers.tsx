import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';

import { subscribeSession, getSessionState } from '@/api/session';
import { TenantScopeProvider } from '@/lib/tenant-scope';

/** Server state, and the tenant staff narrowed the app to. The router is provided by the caller. */
export function AppProviders({ queryClient, children }: { queryClient: QueryClient; children: ReactNode }) {
  useEffect(
    () =>
      // Nothing of one user's data may show for the next one who signs in on this tab.
      subscribeSession(() => {
        if (getSessionState().status === 'signed-out') queryClient.clear();
      }),
    [queryClient],
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TenantScopeProvider>{children}</TenantScopeProvider>
    </QueryClientProvider>
  );
}
