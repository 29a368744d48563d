import { useState } from 'react';

import type { Tenant } from '@/api/types';
import { Button } from '@/components/Button';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { DataTable, type Column } from '@/components/DataTable';
import { Notice } from '@/components/Notice';
import { PageHeader } from '@/components/Panel';
import { RelativeTime } from '@/components/RelativeTime';
import { EmptyState, QueryView } from '@/components/states';
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
  const columns: Column<Tenant>[] = [
    { header: 'Name', cell: (tenant) => tenant.name },
    { header: 'Slug', cell: (tenant) => <code>{tenant.slug}</code> },
    { header: 'Status', cell: (tenant) => <StatusBadge status={tenant.status} /> },
    { header: 'Created', cell: (tenant) => <RelativeTime iso={tenant.created_at} /> },
    {
      header: <span className="visually-hidden">Actions</span>,
      shown: canWrite,
      cellClassName: 'table__actions',
      cell: (tenant) => (
        <>
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
        </>
      ),
    },
  ];

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

      <QueryView query={tenants} noun="tenants">
        {(rows) => (
          <DataTable
            rows={rows}
            columns={columns}
            rowKey={(tenant) => tenant.id}
            caption="Tenants"
            empty={<EmptyState title="No tenants yet">{canWrite && 'Add the first one with “New tenant”.'}</EmptyState>}
          />
        )}
      </QueryView>

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
