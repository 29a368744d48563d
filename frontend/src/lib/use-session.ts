import { useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';

import { api, unwrap } from '@/api/client';
import { getSessionState, subscribeSession, type SessionState } from '@/api/session';
import type { Me, Permission } from '@/api/types';

export function useSession(): SessionState {
  return useSyncExternalStore(subscribeSession, getSessionState);
}

export const meQueryKey = ['me'] as const;

/** Who is signed in and what they may do; every menu and button follows from it. */
export function useMe() {
  const { status } = useSession();
  return useQuery({
    queryKey: meQueryKey,
    queryFn: () => unwrap(api.GET('/api/v1/me')),
    enabled: status === 'signed-in',
    staleTime: 60_000,
  });
}

/** Staff see every tenant; a partner is confined to one (`tenant_id`). */
export function isStaff(me: Me): boolean {
  return me.tenant_id === null || me.tenant_id === undefined;
}

export function hasPermission(me: Me | undefined, permission: Permission): boolean {
  return me?.permissions.includes(permission) ?? false;
}

/** `can('exports:retry')`: whether to offer an action. The server checks again. */
export function useCan(): (permission: Permission) => boolean {
  const { data: me } = useMe();
  return (permission) => hasPermission(me, permission);
}
