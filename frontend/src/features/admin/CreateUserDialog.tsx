import { useState, type SubmitEvent } from 'react';

import { fieldErrorsOf } from '@/api/problem';
import type { Role, User } from '@/api/types';
import { Button } from '@/components/Button';
import { Dialog } from '@/components/Dialog';
import { TextField } from '@/components/fields';
import { PasswordStrength } from '@/components/PasswordStrength';
import { InlineError } from '@/components/states';

import { useCreateUser } from '@/features/admin/api';
import { RoleFields, tenantForRole } from '@/features/admin/roles';

const FORM_FIELDS = ['username', 'display_name', 'email', 'password', 'role', 'tenant_id'];

export function CreateUserDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (user: User) => void }) {
  const create = useCreateUser();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('support');
  const [tenantId, setTenantId] = useState('');
  const errors = fieldErrorsOf(create.error);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate(
      {
        username: username.trim(),
        password,
        role,
        tenant_id: tenantForRole(role, tenantId),
        display_name: displayName.trim() || undefined,
        email: email.trim() || undefined,
      },
      { onSuccess: onCreated },
    );
  }

  return (
    <Dialog title="New user" description="The user signs in with this username and password." onClose={onClose} busy={create.isPending}>
      <form className="form" onSubmit={submit} aria-label="New user">
        <TextField label="Username" required autoComplete="off" value={username} onChange={(event) => setUsername(event.target.value)} error={errors.username} hint="3-100 characters: letters, digits and . _ @ -" />
        <div className="form__row">
          <TextField label="Display name" value={displayName} onChange={(event) => setDisplayName(event.target.value)} error={errors.display_name} hint="Optional" />
          <TextField label="Email" type="email" value={email} onChange={(event) => setEmail(event.target.value)} error={errors.email} hint="Optional" />
        </div>
        <TextField
          label="Password"
          type="password"
          required
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={errors.password}
          hint="At least 12 characters, rated Strong or better, without the username. Hand it to the user through a safe channel."
        />
        <PasswordStrength password={password} username={username} userInputs={[displayName, email]} />
        <RoleFields role={role} tenantId={tenantId} onRoleChange={setRole} onTenantChange={setTenantId} errors={errors} />
        {create.error && <InlineError error={create.error} shownFields={FORM_FIELDS} />}
        <div className="dialog__footer dialog__footer--in-form">
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create user
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
