import { useState } from 'react';
import { Link, useParams } from 'react-router';

import type { RoleBinding, User } from '@/api/types';
import { Button } from '@/components/Button';
import { DataTable } from '@/components/DataTable';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { Notice } from '@/components/Notice';
import { PageHeader, Panel } from '@/components/Panel';
import { RelativeTime } from '@/components/RelativeTime';
import { EmptyState, ErrorState, LoadingState } from '@/components/states';
import { StatusBadge } from '@/components/StatusBadge';
import { useCan, useMe } from '@/lib/use-session';

import { useRevokeRole, useUpdateUser, useUser } from '@/features/admin/api';
import { GrantRoleForm } from '@/features/admin/GrantRoleForm';
import { RoleBindingLabel } from '@/features/admin/roles';

/** One user: their account, deactivation, and their role bindings. */
export function UserPage() {
  const id = Number(useParams().id);
  const user = useUser(id);
  const { data: me } = useMe();
  const canWrite = useCan()('users:write');
  const [changingStatus, setChangingStatus] = useState(false);
  const [removing, setRemoving] = useState<RoleBinding | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  if (!Number.isInteger(id) || id <= 0) return <EmptyState title="There is no user at this address" />;
  if (user.isPending) return <LoadingState label="Loading the user…" />;
  if (user.isError) return <ErrorState error={user.error} title={`User #${id} could not be loaded`} onRetry={() => void user.refetch()} />;

  const { data } = user;
  const isMe = me?.kind === 'user' && me.user_id === data.id;
  return (
    <>
      <p className="breadcrumbs">
        <Link to="/admin/users">Users</Link> / {data.username}
      </p>
      <PageHeader
        title={data.username}
        description={[data.display_name, data.email].filter(Boolean).join(' · ')}
        actions={
          canWrite &&
          !isMe && (
            <Button variant={data.is_active ? 'danger' : 'secondary'} onClick={() => setChangingStatus(true)}>
              {data.is_active ? 'Deactivate user' : 'Reactivate user'}
            </Button>
          )
        }
      />
      {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
      <Panel title="Account">
        <dl className="details">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={data.is_active ? 'active' : 'deactivated'} />
            {isMe && <span className="muted"> (this is you)</span>}
          </dd>
          <dt>Two-step verification</dt>
          <dd>{data.mfa_enabled ? 'On' : 'Off'}</dd>
          <dt>Last sign-in</dt>
          <dd>
            <RelativeTime iso={data.last_login_at} />
          </dd>
          <dt>Created</dt>
          <dd>
            <RelativeTime iso={data.created_at} />
          </dd>
        </dl>
      </Panel>
      <Panel title="Roles">
        <DataTable
          rows={data.roles}
          rowKey={(binding) => binding.id}
          caption="Role bindings"
          empty={<p className="muted">No role: this user can sign in but do nothing.</p>}
          columns={[
            { header: 'Role', cell: (binding) => <RoleBindingLabel binding={binding} /> },
            { header: 'Granted', cell: (binding) => <RelativeTime iso={binding.created_at} /> },
            {
              header: <span className="visually-hidden">Actions</span>,
              shown: canWrite,
              cellClassName: 'table__actions',
              cell: (binding) => (
                <Button size="small" variant="danger" onClick={() => setRemoving(binding)} aria-label={`Remove role ${binding.role}`}>
                  Remove
                </Button>
              ),
            },
          ]}
        />
        {canWrite && <GrantRoleForm userId={data.id} onGranted={(binding) => setNotice(`Role ${binding.role} granted to ${data.username}.`)} />}
      </Panel>

      {changingStatus && (
        <UserStatusDialog
          user={data}
          onClose={() => setChangingStatus(false)}
          onChanged={(changed) => {
            setChangingStatus(false);
            setNotice(changed.is_active ? `${changed.username} can sign in again.` : `${changed.username} is deactivated.`);
          }}
        />
      )}
      {removing && (
        <RemoveRoleDialog
          user={data}
          binding={removing}
          onClose={() => setRemoving(null)}
          onRemoved={() => {
            setRemoving(null);
            setNotice(`Role ${removing.role} removed from ${data.username}.`);
          }}
        />
      )}
    </>
  );
}

function UserStatusDialog({ user, onClose, onChanged }: { user: User; onClose: () => void; onChanged: (user: User) => void }) {
  const update = useUpdateUser();
  const deactivating = user.is_active;
  return (
    <ConfirmDialog
      title={deactivating ? `Deactivate ${user.username}?` : `Reactivate ${user.username}?`}
      confirmLabel={deactivating ? 'Deactivate user' : 'Reactivate user'}
      tone={deactivating ? 'danger' : 'primary'}
      busy={update.isPending}
      error={update.error}
      onClose={onClose}
      onConfirm={() => update.mutate({ id: user.id, changes: { is_active: !deactivating } }, { onSuccess: onChanged })}
    >
      <p>
        {deactivating
          ? `${user.username} is signed out everywhere at once, and their integrator tokens stop working. Their history stays in the audit log; you can reactivate them later.`
          : `${user.username} can sign in again with their roles.`}
      </p>
    </ConfirmDialog>
  );
}

function RemoveRoleDialog({ user, binding, onClose, onRemoved }: { user: User; binding: RoleBinding; onClose: () => void; onRemoved: () => void }) {
  const revoke = useRevokeRole(user.id);
  return (
    <ConfirmDialog
      title={`Remove a role from ${user.username}?`}
      confirmLabel="Remove role"
      busy={revoke.isPending}
      error={revoke.error}
      onClose={onClose}
      onConfirm={() => revoke.mutate(binding.id, { onSuccess: onRemoved })}
    >
      <p>
        <strong>
          <RoleBindingLabel binding={binding} />
        </strong>{' '}
        is taken away at once, from their session and their integrator tokens.
      </p>
    </ConfirmDialog>
  );
}
