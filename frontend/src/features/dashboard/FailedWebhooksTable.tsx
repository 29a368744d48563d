import { Link } from 'react-router';

import type { FailedWebhook } from '@/api/types';
import { RelativeTime } from '@/components/RelativeTime';
import { EmptyState } from '@/components/states';
import { useTenantName } from '@/lib/tenants';

import { DASHBOARD_ROWS, ShownOf } from '@/features/dashboard/limits';

export function FailedWebhooksTable({ events, showTenant }: { events: readonly FailedWebhook[]; showTenant: boolean }) {
  const tenantName = useTenantName();
  if (events.length === 0) return <EmptyState title="No failed webhook events" />;
  return (
    <div className="table-scroll">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Provider</th>
            <th scope="col">Type</th>
            {showTenant && <th scope="col">Tenant</th>}
            <th scope="col" className="numeric">Attempts</th>
            <th scope="col">Last error</th>
            <th scope="col">Received</th>
          </tr>
        </thead>
        <tbody>
          {events.slice(0, DASHBOARD_ROWS).map((event) => (
            <tr key={event.id}>
              <td>
                <Link to={`/webhooks/${event.id}`}>#{event.id}</Link>
              </td>
              <td>{event.provider}</td>
              <td>
                <code>{event.event_type}</code>
              </td>
              {showTenant && <td>{event.tenant_id === null || event.tenant_id === undefined ? 'No tenant' : tenantName(event.tenant_id)}</td>}
              <td className="numeric">{event.attempts}</td>
              <td className="truncate truncate--wide" title={event.last_error ?? undefined}>
                {event.last_error ?? '—'}
              </td>
              <td>
                <RelativeTime iso={event.received_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ShownOf shown={Math.min(events.length, DASHBOARD_ROWS)} total={events.length} />
    </div>
  );
}
