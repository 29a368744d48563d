import { Link } from 'react-router';

import type { AuditLogEntry } from '@/api/types';
import { DataTable, type Column } from '@/components/DataTable';
import { OutcomeBadge } from '@/components/StatusBadge';
import { formatDateTime } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';

export function AuditLogTable({ entries, showTenant }: { entries: readonly AuditLogEntry[]; showTenant: boolean }) {
  const tenantName = useTenantName();
  const columns: Column<AuditLogEntry>[] = [
    { header: 'When', cellClassName: 'nowrap', cell: (entry) => formatDateTime(entry.occurred_at, true) },
    {
      header: 'Actor',
      cellClassName: 'truncate',
      cellTitle: (entry) => entry.actor_label,
      cell: (entry) => (
        <>
          {entry.actor_label}
          <span className="table__subtext">{entry.actor_type}</span>
        </>
      ),
    },
    {
      header: 'Action',
      // The entry travels with the link: the API has no single-entry read.
      cell: (entry) => (
        <Link to={`/audit/${entry.id}`} aria-label={`Entry #${entry.id}: ${entry.action}`}>
          <code>{entry.action}</code>
        </Link>
      ),
    },
    { header: 'Target', cellClassName: 'truncate', cell: (entry) => (entry.target_type ? `${entry.target_type} ${entry.target_id ?? ''}`.trim() : '—') },
    {
      header: 'Tenant',
      shown: showTenant,
      cell: (entry) => (entry.tenant_id === null || entry.tenant_id === undefined ? '—' : tenantName(entry.tenant_id)),
    },
    { header: 'IP', cellClassName: 'nowrap', cell: (entry) => entry.ip ?? '—' },
    { header: 'Outcome', cell: (entry) => <OutcomeBadge outcome={entry.outcome} status={entry.status} reason={entry.reason} /> },
  ];
  return <DataTable rows={entries} columns={columns} rowKey={(entry) => entry.id} empty="No audit entries" />;
}
