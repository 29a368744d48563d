import { Link } from 'react-router';

import type { AuditLogEntry } from '@/api/types';
import { OutcomeBadge } from '@/components/StatusBadge';
import { formatDateTime } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';

export function AuditLogTable({ entries, showTenant }: { entries: readonly AuditLogEntry[]; showTenant: boolean }) {
  const tenantName = useTenantName();
  return (
    <div className="table-scroll">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            {showTenant && <th scope="col">Tenant</th>}
            <th scope="col">IP</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td className="nowrap">{formatDateTime(entry.occurred_at, true)}</td>
              <td className="truncate" title={entry.actor_label}>
                {entry.actor_label}
                <span className="table__subtext">{entry.actor_type}</span>
              </td>
              <td>
                {/* The entry travels with the link: the API has no single-entry read. */}
                <Link to={`/audit/${entry.id}`} aria-label={`Entry #${entry.id}: ${entry.action}`}>
                  <code>{entry.action}</code>
                </Link>
              </td>
              <td className="truncate">{entry.target_type ? `${entry.target_type} ${entry.target_id ?? ''}`.trim() : '—'}</td>
              {showTenant && <td>{entry.tenant_id === null || entry.tenant_id === undefined ? '—' : tenantName(entry.tenant_id)}</td>}
              <td className="nowrap">{entry.ip ?? '—'}</td>
              <td>
                <OutcomeBadge outcome={entry.outcome} status={entry.status} reason={entry.reason} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
