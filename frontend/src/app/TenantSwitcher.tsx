import { useId } from 'react';

import { useTenantScope } from '@/lib/tenant-scope';
import { useTenants } from '@/lib/tenants';

/** Staff narrow the dashboard and lists to one tenant, or watch them all. */
export function TenantSwitcher() {
  const id = useId();
  const { tenantId, setTenantId } = useTenantScope();
  const { data: tenants, isPending, isError } = useTenants();

  return (
    <div className="tenant-switcher">
      <label htmlFor={id}>Tenant</label>
      <select
        id={id}
        value={tenantId ?? ''}
        disabled={isPending || isError}
        onChange={(event) => setTenantId(event.target.value === '' ? null : Number(event.target.value))}
      >
        <option value="">All tenants</option>
        {tenants?.map((tenant) => (
          <option key={tenant.id} value={tenant.id}>
            {tenant.name}
            {tenant.status === 'suspended' ? ' (suspended)' : ''}
          </option>
        ))}
      </select>
    </div>
  );
}
