import { Link } from 'react-router';

import type { AuditLogEntry } from '@/api/types';
import { RelativeTime } from '@/components/RelativeTime';
import { EmptyState } from '@/components/states';
import { OutcomeBadge } from '@/components/StatusBadge';

import { DASHBOARD_ROWS } from '@/features/dashboard/limits';

/** The audit log has the rest (the dashboard gets the latest 50). */
const SHOWN_ENTRIES = DASHBOARD_ROWS + 2;

export function RecentAuditTable({ entries }: { entries: readonly AuditLogEntry[] }) {
  if (entries.length === 0) return <EmptyState title="Nothing audited yet" />;
  return (
    <div className="table-scroll">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {entries.slice(0, SHOWN_ENTRIES).map((entry) => (
            <tr key={entry.id}>
              <td>
                <RelativeTime iso={entry.occurred_at} />
              </td>
              <td className="truncate truncate--narrow" title={entry.actor_label}>
                {entry.actor_label}
              </td>
              <td>
                {/* The entry travels with the link: the API has no single-entry read. */}
                <Link to={`/audit/${entry.id}`}>
                  <code>{entry.action}</code>
                </Link>
              </td>
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
