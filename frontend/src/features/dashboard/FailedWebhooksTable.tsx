import { Link } from 'react-router';

import type { FailedWebhook } from '@/api/types';
import { DataTable, type Column } from '@/components/DataTable';
import { RelativeTime } from '@/components/RelativeTime';
import { useTenantName } from '@/lib/tenants';

import { DASHBOARD_ROWS, ShownOf } from '@/features/dashboard/limits';

export function FailedWebhooksTable({ events, showTenant }: { events: readonly FailedWebhook[]; showTenant: boolean }) {
  const tenantName = useTenantName();
  const columns: Column<FailedWebhook>[] = [
    { header: 'Event', cell: (event) => <Link to={`/webhooks/${event.id}`}>#{event.id}</Link> },
    { header: 'Provider', cell: (event) => event.provider },
    { header: 'Type', cell: (event) => <code>{event.event_type}</code> },
    {
      header: 'Tenant',
      shown: showTenant,
      cell: (event) => (event.tenant_id === null || event.tenant_id === undefined ? 'No tenant' : tenantName(event.tenant_id)),
    },
    { header: 'Attempts', numeric: true, cell: (event) => event.attempts },
    { header: 'Last error', cellClassName: 'truncate truncate--wide', cellTitle: (event) => event.last_error ?? undefined, cell: (event) => event.last_error ?? '—' },
    { header: 'Received', cell: (event) => <RelativeTime iso={event.received_at} /> },
  ];
  return (
    <DataTable
      rows={events.slice(0, DASHBOARD_ROWS)}
      columns={columns}
      rowKey={(event) => event.id}
      empty="No failed webhook events"
      footer={<ShownOf shown={Math.min(events.length, DASHBOARD_ROWS)} total={events.length} />}
    />
  );
}
