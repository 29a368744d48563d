import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';

import { api, unwrap } from '@/api/client';
import type { Tenant } from '@/api/types';

import { hasPermission, useMe } from './use-session';

/** Every tenant, for staff (`tenants:read`); partners never ask. */
export function useTenants() {
  const { data: me } = useMe();
  return useQuery({
    queryKey: ['tenants'],
    // The API answers every tenant, sorted by slug, in one page.
    queryFn: () => unwrap(api.GET('/api/v1/tenants')),
    select: (page): Tenant[] => page.items,
    enabled: hasPermission(me, 'tenants:read'),
    staleTime: 5 * 60_000,
  });
}

/** A readable name for a tenant id: its name for staff, the id otherwise. */
export function useTenantName(): (tenantId: number | null | undefined) => string {
  const { data: tenants } = useTenants();
  return useCallback(
    (tenantId) => {
      if (tenantId === null || tenantId === undefined) return 'All tenants';
      return tenants?.find((tenant) => tenant.id === tenantId)?.name ?? `Tenant #${tenantId}`;
    },
    [tenants],
  );
}
