import { useId, useState, type SubmitEvent } from 'react';

import { fieldErrorsOf } from '@/api/problem';
import type { CreatedToken, Role } from '@/api/types';
import { Button } from '@/components/Button';
import { Dialog } from '@/components/Dialog';
import { SelectField, TextField } from '@/components/fields';
import { InlineError } from '@/components/states';
import { humanize } from '@/lib/format';
import { useTenants } from '@/lib/tenants';
import { isStaff, useMe } from '@/lib/use-session';

import { useCreateToken } from '@/features/admin/api';

const LIFETIMES_IN_DAYS = [7, 30, 90, 180, 365];
const DEFAULT_LIFETIME = 90;
const FORM_FIELDS = ['name', 'roles', 'tenant_id', 'expires_in_days', 'password'];

export function CreateTokenDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (created: CreatedToken) => void }) {
  const { data: me } = useMe();
  const staff = me !== undefined && isStaff(me);
  const { data: tenants } = useTenants();
  const create = useCreateToken();
  // A token holds roles granting nothing beyond its creator's rights: the server names them.
  const offered = me?.delegable_roles ?? [];
  const ownRoles = new Set(me?.roles.map((grant) => grant.role) ?? []);
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<ReadonlySet<Role>>(new Set(offered.filter((role) => ownRoles.has(role))));
  const [password, setPassword] = useState('');
  const [tenantId, setTenantId] = useState('');
  const [lifetime, setLifetime] = useState(String(DEFAULT_LIFETIME));
  const [noRoleChosen, setNoRoleChosen] = useState(false);
  const errors = fieldErrorsOf(create.error);
  const rolesErrorId = useId();

  function toggleRole(role: Role, on: boolean) {
    setNoRoleChosen(false);
    setRoles((current) => {
      const next = new Set(current);
      if (on) next.add(role);
      else next.delete(role);
      return next;
    });
  }

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (roles.size === 0) {
      setNoRoleChosen(true);
      return;
    }
    create.mutate(
      {
        name: name.trim(),
        roles: offered.filter((role) => roles.has(role)),
        tenant_id: staff && tenantId !== '' ? Number(tenantId) : undefined,
        expires_in_days: Number(lifetime),
        password,
      },
      { onSuccess: onCreated },
    );
  }

  const rolesError = noRoleChosen ? 'Choose at least one role.' : errors.roles;
  return (
    <Dialog title="New API token" description="The secret is shown once, right after it is created." onClose={onClose} busy={create.isPending}>
      <form className="form" onSubmit={submit} aria-label="New API token">
        <TextField label="Name" required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} error={errors.name} hint="What uses it, e.g. “nightly ERP sync”." />
        <fieldset className="checkbox-group" aria-describedby={rolesError ? rolesErrorId : undefined}>
          <legend>Roles</legend>
          {offered.map((role) => (
            <label key={role} className="checkbox">
              <input type="checkbox" checked={roles.has(role)} onChange={(event) => toggleRole(role, event.target.checked)} />
              {humanize(role)}
            </label>
          ))}
          {rolesError && (
            <span id={rolesErrorId} className="field__error">
              {rolesError}
            </span>
          )}
        </fieldset>
        <div className="form__row">
          {staff ? (
            <SelectField
              label="Tenant"
              value={tenantId}
              onChange={(event) => setTenantId(event.target.value)}
              options={[{ value: '', label: 'All tenants' }, ...(tenants ?? []).map((tenant) => ({ value: String(tenant.id), label: tenant.name }))]}
              error={errors.tenant_id}
              hint="Confine the token to one tenant's data."
            />
          ) : (
            <p className="muted small">The token sees {me?.tenant_name ?? 'your tenant'} only, as you do.</p>
          )}
          <SelectField
            label="Expires after"
            value={lifetime}
            onChange={(event) => setLifetime(event.target.value)}
            options={LIFETIMES_IN_DAYS.map((days) => ({ value: String(days), label: `${days} days` }))}
            error={errors.expires_in_days}
          />
        </div>
        <TextField
          label="Your password"
          type="password"
          autoComplete="current-password"
          maxLength={1024}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={errors.password}
          hint="Confirms that it is you who creates the token."
        />
        {create.error && <InlineError error={create.error} shownFields={FORM_FIELDS} />}
        <div className="dialog__footer dialog__footer--in-form">
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create token
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
