import { useMemo, useState, type SubmitEvent } from 'react';
import { Link, useSearchParams } from 'react-router';

import type { WebhookEvent } from '@/api/types';
import { Button } from '@/components/Button';
import { SelectField, TextField } from '@/components/fields';
import { selectedRowClass, selectionColumn, type Column } from '@/components/DataTable';
import { Notice } from '@/components/Notice';
import { PageHeader } from '@/components/Panel';
import { RelativeTime } from '@/components/RelativeTime';
import { PagedTable } from '@/components/PagedTable';
import { StatusBadge } from '@/components/StatusBadge';
import { humanize } from '@/lib/format';
import { useTenantParam } from '@/lib/tenant-scope';
import { useTenantName } from '@/lib/tenants';
import { useSelection } from '@/lib/use-selection';
import { useCan } from '@/lib/use-session';

import { isFinished, useWebhookEvents, WEBHOOK_STATUSES } from '@/features/webhooks/api';
import { ReprocessEventsDialog } from '@/features/webhooks/ReprocessEventsDialog';

/** Inbound provider events (staff only): find them, open one, process finished ones again. */
export function WebhookEventsPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const tenantId = useTenantParam();
  const tenantName = useTenantName();
  const statusParam = searchParams.get('status');
  const filters = {
    status: WEBHOOK_STATUSES.find((status) => status === statusParam),
    provider: searchParams.get('provider') ?? undefined,
    type: searchParams.get('type') ?? undefined,
    tenant_id: tenantId,
  };
  const events = useWebhookEvents(filters);
  const rows = useMemo(() => events.data?.pages.flatMap((page) => page.items) ?? [], [events.data]);
  const [draft, setDraft] = useState({ provider: filters.provider ?? '', type: filters.type ?? '' });
  const can = useCan();
  const canReprocess = can('webhooks:reprocess');
  const selection = useSelection();
  const [reprocessTargets, setReprocessTargets] = useState<WebhookEvent[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Only finished events still on screen count; a selection never silently includes anything else.
  const selectedEvents = rows.filter((event) => isFinished(event) && selection.selected.has(event.id));
  const columns: Column<WebhookEvent>[] = [
    ...(canReprocess
      ? [selectionColumn({ rows, selection, selectable: isFinished, allLabel: 'Select every finished event shown', rowLabel: (event) => `Select event #${event.id}` })]
      : []),
    { header: 'Event', cell: (event) => <Link to={`/webhooks/${event.id}`}>#{event.id}</Link> },
    { header: 'Provider', cell: (event) => event.provider },
    { header: 'Type', cell: (event) => <code>{event.event_type}</code> },
    {
      header: 'Tenant',
      shown: tenantId === undefined,
      cell: (event) => (event.tenant_id === null || event.tenant_id === undefined ? 'No tenant' : tenantName(event.tenant_id)),
    },
    {
      header: 'Status',
      cell: (event) => (
        <>
          <StatusBadge status={event.status} />
          {event.last_error && (
            <span className="table__subtext truncate" title={event.last_error}>
              {event.last_error}
            </span>
          )}
        </>
      ),
    },
    { header: 'Attempts', numeric: true, cell: (event) => `${event.attempts}/${event.max_attempts}` },
    { header: 'Received', cell: (event) => <RelativeTime iso={event.received_at} /> },
  ];

  function setParam(name: string, value: string) {
    const params = new URLSearchParams(searchParams);
    if (value) params.set(name, value);
    else params.delete(name);
    return params;
  }

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const params = setParam('provider', draft.provider.trim());
    if (draft.type.trim()) params.set('type', draft.type.trim());
    else params.delete('type');
    setSearchParams(params, { replace: true });
    selection.clear();
  }

  return (
    <>
      <PageHeader
        title="Webhook events"
        description="Provider events as received, with their processing status."
        actions={
          canReprocess && (
            <Button disabled={selectedEvents.length === 0} onClick={() => setReprocessTargets(selectedEvents)}>
              Reprocess selected{selectedEvents.length > 0 ? ` (${selectedEvents.length})` : ''}
            </Button>
          )
        }
      />
      {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
      <form className="filters" role="search" aria-label="Filter webhook events" onSubmit={submit}>
        <SelectField
          label="Status"
          value={filters.status ?? ''}
          onChange={(event) => {
            setSearchParams(setParam('status', event.target.value), { replace: true });
            selection.clear();
          }}
          options={[{ value: '', label: 'Any status' }, ...WEBHOOK_STATUSES.map((value) => ({ value, label: humanize(value.toLowerCase()) }))]}
        />
        <TextField label="Provider" value={draft.provider} onChange={(event) => setDraft({ ...draft, provider: event.target.value })} />
        <TextField label="Event type" placeholder="order.paid" value={draft.type} onChange={(event) => setDraft({ ...draft, type: event.target.value })} />
        <div className="filters__buttons">
          <Button type="submit" variant="primary">
            Apply
          </Button>
        </div>
      </form>
      <PagedTable
        pages={events}
        rows={rows}
        columns={columns}
        noun="webhook events"
        filtered={filters.status !== undefined || filters.provider !== undefined || filters.type !== undefined}
        rowClassName={selectedRowClass(selection)}
        interactive
      />
      {reprocessTargets && (
        <ReprocessEventsDialog
          events={reprocessTargets}
          showTenant={tenantId === undefined}
          onClose={() => setReprocessTargets(null)}
          onReprocessed={(result) => {
            selection.clear();
            setNotice(`${result.enqueued.length} of ${reprocessTargets.length} selected events queued again.`);
          }}
        />
      )}
    </>
  );
}
