import { useState } from 'react';
import { Link } from 'react-router';

import { Button } from '@/components/Button';
import { Notice } from '@/components/Notice';
import { PageHeader } from '@/components/Panel';
import { RelativeTime } from '@/components/RelativeTime';
import { EmptyState, ErrorState, LoadingState } from '@/components/states';
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

      {users.isPending ? (
        <LoadingState label="Loading users…" />
      ) : users.isError ? (
        <ErrorState error={users.error} title="Users could not be loaded" onRetry={() => void users.refetch()} />
      ) : users.data.length === 0 ? (
        <EmptyState title="No users yet" />
      ) : (
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Name</th>
                <th scope="col">Roles</th>
                <th scope="col">Status</th>
                <th scope="col">Two-step</th>
                <th scope="col">Last sign-in</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((user) => (
                <tr key={user.id}>
                  <td>
                    <Link to={`/admin/users/${user.id}`}>{user.username}</Link>
                  </td>
                  <td>{user.display_name}</td>
                  <td>
                    {user.roles.length === 0 ? (
                      <span className="muted">No role</span>
                    ) : (
                      <ul className="plain-list">
                        {user.roles.map((binding) => (
                          <li key={binding.id}>
                            <RoleBindingLabel binding={binding} />
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>
                    <StatusBadge status={user.is_active ? 'active' : 'deactivated'} />
                  </td>
                  <td>{user.mfa_enabled ? 'On' : <span className="muted">Off</span>}</td>
                  <td>
                    <RelativeTime iso={user.last_login_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

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
