import { useState } from 'react';
import { Link } from 'react-router';

import type { User } from '@/api/types';
import { Button } from '@/components/Button';
import { DataTable, type Column } from '@/components/DataTable';
import { Notice } from '@/components/Notice';
import { PageHeader } from '@/components/Panel';
import { RelativeTime } from '@/components/RelativeTime';
import { QueryView } from '@/components/states';
import { StatusBadge } from '@/components/StatusBadge';
import { useCan } from '@/lib/use-session';

import { useUsers } from '@/features/admin/api';
import { CreateUserDialog } from '@/features/admin/CreateUserDialog';
import { RoleBindingLabel } from '@/features/admin/roles';

/** Staff and partner users with their roles; superadmins create users here and manage each one on its page. */
export function UsersPage() {
  const can = useCan();
  const users = useUsers();
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const columns: Column<User>[] = [
    { header: 'Username', cell: (user) => <Link to={`/admin/users/${user.id}`}>{user.username}</Link> },
    { header: 'Name', cell: (user) => user.display_name },
    {
      header: 'Roles',
      cell: (user) =>
        user.roles.length === 0 ? (
          <span className="muted">No role</span>
        ) : (
          <ul className="plain-list">
            {user.roles.map((binding) => (
              <li key={binding.id}>
                <RoleBindingLabel binding={binding} />
              </li>
            ))}
          </ul>
        ),
    },
    { header: 'Status', cell: (user) => <StatusBadge status={user.is_active ? 'active' : 'deactivated'} /> },
    { header: 'Two-step', cell: (user) => (user.mfa_enabled ? 'On' : <span className="muted">Off</span>) },
    { header: 'Last sign-in', cell: (user) => <RelativeTime iso={user.last_login_at} /> },
  ];

  return (
    <>
      <PageHeader
        title="Users"
        description="People who sign in to opsdeck. Users are deactivated, never deleted, so the audit log keeps naming them."
        actions={
          can('users:write') && (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New user
            </Button>
          )
        }
      />
      {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}

      <QueryView query={users} noun="users">
        {(rows) => <DataTable rows={rows} columns={columns} rowKey={(user) => user.id} caption="Users" empty="No users yet" />}
      </QueryView>

      {creating && (
        <CreateUserDialog
          onClose={() => setCreating(false)}
          onCreated={(user) => {
            setCreating(false);
            setNotice(`User “${user.username}” was created. Share the password with them through a safe channel.`);
          }}
        />
      )}
    </>
  );
}
