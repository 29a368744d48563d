import { Link } from 'react-router';

import type { AuditLogEntry } from '@/api/types';
import { DataTable, type Column } from '@/components/DataTable';
import { RelativeTime } from '@/components/RelativeTime';
import { OutcomeBadge } from '@/components/StatusBadge';

import { DASHBOARD_ROWS } from '@/features/dashboard/limits';

/** The audit log has the rest (the dashboard gets the latest 50). */
const SHOWN_ENTRIES = DASHBOARD_ROWS + 2;

const columns: Column<AuditLogEntry>[] = [
  { header: 'When', cell: (entry) => <RelativeTime iso={entry.occurred_at} /> },
  { header: 'Actor', cellClassName: 'truncate truncate--narrow', cellTitle: (entry) => entry.actor_label, cell: (entry) => entry.actor_label },
  {
    header: 'Action',
    // The entry travels with the link: the API has no single-entry read.
    cell: (entry) => (
      <Link to={`/audit/${entry.id}`}>
        <code>{entry.action}</code>
      </Link>
    ),
  },
  { header: 'Outcome', cell: (entry) => <OutcomeBadge outcome={entry.outcome} status={entry.status} reason={entry.reason} /> },
];

export function RecentAuditTable({ entries }: { entries: readonly AuditLogEntry[] }) {
  return <DataTable rows={entries.slice(0, SHOWN_ENTRIES)} columns={columns} rowKey={(entry) => entry.id} empty="Nothing audited yet" />;
}
