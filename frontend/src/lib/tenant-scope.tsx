import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

import { getSessionState, subscribeSession } from '@/api/session';

interface TenantScope {
  /** The tenant staff narrowed the app to; `null`: every tenant (and always `null` for partners, whom the server scopes). */
  tenantId: number | null;
  setTenantId: (tenantId: number | null) => void;
}

const TenantScopeContext = createContext<TenantScope | null>(null);

// Per tab, so two tabs can watch two tenants; sessionStorage holds no secret, only an id.
const STORAGE_KEY = 'opsdeck.tenant';

function readStoredTenant(): number | null {
  const stored = Number(globalThis.sessionStorage.getItem(STORAGE_KEY));
  return Number.isInteger(stored) && stored > 0 ? stored : null;
}

export function TenantScopeProvider({ children }: { children: ReactNode }) {
  const [tenantId, setTenant] = useState<number | null>(readStoredTenant);

  const setTenantId = useCallback((next: number | null) => {
    setTenant(next);
    if (next === null) globalThis.sessionStorage.removeItem(STORAGE_KEY);
    else globalThis.sessionStorage.setItem(STORAGE_KEY, String(next));
  }, []);

  // The next person to sign in on this tab starts from every tenant, not the last one's choice.
  useEffect(
    () =>
      subscribeSession(() => {
        if (getSessionState().status === 'signed-out') setTenantId(null);
      }),
    [setTenantId],
  );

  const value = useMemo(() => ({ tenantId, setTenantId }), [tenantId, setTenantId]);
  return <TenantScopeContext value={value}>{children}</TenantScopeContext>;
}

export function useTenantScope(): TenantScope {
  const scope = useContext(TenantScopeContext);
  if (!scope) throw new Error('useTenantScope needs a <TenantScopeProvider>');
  return scope;
}

/** The `tenant_id` query parameter for list and dashboard calls. */
export function useTenantParam(): number | undefined {
  return useTenantScope().tenantId ?? undefined;
}
