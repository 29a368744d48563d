import { useState, type SubmitEvent } from 'react';

import { fieldErrorsOf } from '@/api/problem';
import type { Role, RoleBinding } from '@/api/types';
import { Button } from '@/components/Button';
import { InlineError } from '@/components/states';

import { useGrantRole } from '@/features/admin/api';
import { RoleFields, tenantForRole } from '@/features/admin/roles';

/** Grants one more role. The server refuses mixing staff and partner roles, with its reason shown. */
export function GrantRoleForm({ userId, onGranted }: { userId: number; onGranted: (binding: RoleBinding) => void }) {
  const grant = useGrantRole(userId);
  const [role, setRole] = useState<Role>('support');
  const [tenantId, setTenantId] = useState('');
  const errors = fieldErrorsOf(grant.error);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    grant.mutate({ role, tenant_id: tenantForRole(role, tenantId) }, { onSuccess: onGranted });
  }

  return (
    <form className="form grant-role" onSubmit={submit} aria-label="Grant a role">
      <h3 className="grant-role__title">Grant a role</h3>
      <div className="form__row">
        <RoleFields role={role} tenantId={tenantId} onRoleChange={setRole} onTenantChange={setTenantId} errors={errors} />
      </div>
      {grant.error && <InlineError error={grant.error} shownFields={['role', 'tenant_id']} />}
      <div>
        <Button type="submit" variant="primary" busy={grant.isPending}>
          Grant role
        </Button>
      </div>
    </form>
  );
}
