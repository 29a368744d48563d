import { useState } from 'react';

import type { Tenant } from '@/api/types';
import { Button } from '@/components/Button';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { Notice } from '@/components/Notice';
import { PageHeader } from '@/components/Panel';
import { RelativeTime } from '@/components/RelativeTime';
import { EmptyState, ErrorState, LoadingState } from '@/components/states';
import { StatusBadge } from '@/components/StatusBadge';
import { useTenants } from '@/lib/tenants';
import { useCan } from '@/lib/use-session';

import { useUpdateTenant } from '@/features/admin/api';
import { TenantFormDialog } from '@/features/admin/TenantFormDialog';

/** Every tenant; superadmins (`tenants:write`) create, rename, suspend and reactivate them. */
export function TenantsPage() {
  const can = useCan();
  const canWrite = can('tenants:write');
  const tenants = useTenants();
  const [editing, setEditing] = useState<Tenant | 'new' | null>(null);
  const [changingStatus, setChangingStatus] = useState<Tenant | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <>
      <PageHeader
        title="Tenants"
        description="The partner organisations on the platform. Tenants are suspended, never deleted."
        actions={
          canWrite && (
            <Button variant="primary" onClick={() => setEditing('new')}>
              New tenant
            </Button>
          )
        }
      />
      {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}

      {tenants.isPending ? (
        <LoadingState label="Loading tenants…" />
      ) : tenants.isError ? (
        <ErrorState error={tenants.error} title="Tenants could not be loaded" onRetry={() => void tenants.refetch()} />
      ) : tenants.data.length === 0 ? (
        <EmptyState title="No tenants yet">{canWrite && 'Add the first one with “New tenant”.'}</EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">Tenants</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Slug</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                {canWrite && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {tenants.data.map((tenant) => (
                <tr key={tenant.id}>
                  <td>{tenant.name}</td>
                  <td>
                    <code>{tenant.slug}</code>
                  </td>
                  <td>
                    <StatusBadge status={tenant.status} />
                  </td>
                  <td>
                    <RelativeTime iso={tenant.created_at} />
                  </td>
                  {canWrite && (
                    <td className="table__actions">
                      <Button size="small" onClick={() => setEditing(tenant)} aria-label={`Rename ${tenant.name}`}>
                        Rename
                      </Button>
                      <Button
                        size="small"
                        variant={tenant.status === 'active' ? 'danger' : 'secondary'}
                        onClick={() => setChangingStatus(tenant)}
                        aria-label={`${tenant.status === 'active' ? 'Suspend' : 'Reactivate'} ${tenant.name}`}
                      >
                        {tenant.status === 'active' ? 'Suspend' : 'Reactivate'}
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {editing && (
        <TenantFormDialog
          tenant={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(tenant) => {
            setEditing(null);
            setNotice(editing === 'new' ? `Tenant “${tenant.name}” was created.` : `Tenant renamed to “${tenant.name}”.`);
          }}
        />
      )}
      {changingStatus && (
        <TenantStatusDialog
          tenant={changingStatus}
          onClose={() => setChangingStatus(null)}
          onChanged={(tenant) => {
            setChangingStatus(null);
            setNotice(`“${tenant.name}” is ${tenant.status} now.`);
          }}
        />
      )}
    </>
  );
}

function TenantStatusDialog({ tenant, onClose, onChanged }: { tenant: Tenant; onClose: () => void; onChanged: (tenant: Tenant) => void }) {
  const update = useUpdateTenant();
  const suspending = tenant.status === 'active';
  return (
    <ConfirmDialog
      title={suspending ? `Suspend ${tenant.name}?` : `Reactivate ${tenant.name}?`}
      confirmLabel={suspending ? 'Suspend tenant' : 'Reactivate tenant'}
      tone={suspending ? 'danger' : 'primary'}
      busy={update.isPending}
      error={update.error}
      onClose={onClose}
      onConfirm={() => update.mutate({ id: tenant.id, changes: { status: suspending ? 'suspended' : 'active' } }, { onSuccess: onChanged })}
    >
      <p>
        {suspending
          ? 'The tenant is marked suspended everywhere it is listed. Its data, users and history stay as they are, and it can be reactivated at any time.'
          : 'The tenant is marked active again.'}
      </p>
    </ConfirmDialog>
  );
}
