import type { Role, RoleBinding } from '@/api/types';
import { SelectField } from '@/components/fields';
import { humanize } from '@/lib/format';
import { useTenantName, useTenants } from '@/lib/tenants';

import { isPartnerRole, ROLES } from '@/features/admin/api';

/** "Partner admin of Globex Corporation", or a staff role on its own. */
export function RoleBindingLabel({ binding }: { binding: Pick<RoleBinding, 'role' | 'tenant_id'> }) {
  const tenantName = useTenantName();
  const role = humanize(binding.role);
  if (binding.tenant_id === null || binding.tenant_id === undefined) return <>{role}</>;
  return (
    <>
      {role} <span className="muted">of {tenantName(binding.tenant_id)}</span>
    </>
  );
}

interface RoleFieldsProps {
  role: Role;
  /** The tenant of a partner role, as the select's value ('' until chosen). */
  tenantId: string;
  onRoleChange: (role: Role) => void;
  onTenantChange: (tenantId: string) => void;
  errors: Readonly<Record<string, string>>;
}

/** A role, and for partner roles the one tenant it is bound to. */
export function RoleFields({ role, tenantId, onRoleChange, onTenantChange, errors }: RoleFieldsProps) {
  const { data: tenants } = useTenants();
  return (
    <>
      <SelectField
        label="Role"
        value={role}
        onChange={(event) => onRoleChange(parseRole(event.target.value))}
        options={ROLES.map((value) => ({ value, label: humanize(value) }))}
        error={errors.role}
        hint={ROLE_HINTS[role]}
      />
      {isPartnerRole(role) && (
        <SelectField
          label="Tenant"
          required
          value={tenantId}
          onChange={(event) => onTenantChange(event.target.value)}
          options={[{ value: '', label: 'Choose a tenant…' }, ...(tenants ?? []).map((tenant) => ({ value: String(tenant.id), label: tenant.name }))]}
          error={errors.tenant_id}
        />
      )}
    </>
  );
}

const ROLE_HINTS: Record<Role, string> = {
  superadmin: 'Everything, including tenants and users.',
  ops: 'All tenants, all operations; no user or tenant management.',
  support: 'All tenants, read-only.',
  partner_admin: 'One tenant: its dashboard, catalog, exports, bulk jobs and audit entries.',
  partner_viewer: 'One tenant, read-only.',
};

function parseRole(value: string): Role {
  return ROLES.find((role) => role === value) ?? 'support';
}

/** The `tenant_id` to send with a role: the chosen tenant for partner roles, none for staff roles. */
export function tenantForRole(role: Role, tenantId: string): number | undefined {
  return isPartnerRole(role) && tenantId !== '' ? Number(tenantId) : undefined;
}
