import { useTenantParam } from '@/lib/tenant-scope';
import { isStaff, useCan, useMe } from '@/lib/use-session';

/** The tenant the lists are narrowed to, whether a tenant column helps, and whether bulk jobs may be started. */
export function useCatalogScope() {
  const tenantId = useTenantParam();
  const { data: me } = useMe();
  const can = useCan();
  return {
    tenantId,
    showTenant: me !== undefined && isStaff(me) && tenantId === undefined,
    canStartBulkJobs: can('bulk:run'),
  };
}
