import type { ReprocessResult, WebhookEvent } from '@/api/types';
import { Button } from '@/components/Button';
import { DataTable } from '@/components/DataTable';
import { Dialog } from '@/components/Dialog';
import { RequeuedDialog } from '@/components/RequeuedDialog';
import { InlineError } from '@/components/states';
import { StatusBadge } from '@/components/StatusBadge';
import { useTenantName } from '@/lib/tenants';

import { useReprocessWebhookEvents } from '@/features/webhooks/api';

interface ReprocessEventsDialogProps {
  /** The events the user chose; all of them are listed before anything happens. */
  events: readonly WebhookEvent[];
  showTenant: boolean;
  onClose: () => void;
  onReprocessed?: (result: ReprocessResult) => void;
}

function eventsNoun(count: number): string {
  return count === 1 ? 'webhook event' : 'webhook events';
}

/** Confirmation before reprocessing: which events go back to the queue, then which did (and which were skipped, and why). */
export function ReprocessEventsDialog({ events, showTenant, onClose, onReprocessed }: ReprocessEventsDialogProps) {
  const reprocess = useReprocessWebhookEvents();
  const tenantName = useTenantName();
  const count = events.length;

  if (reprocess.isSuccess) {
    const { enqueued, skipped } = reprocess.data;
    return <RequeuedDialog title="Reprocessing requested" noun="event" queuedIds={enqueued} skipped={skipped} onClose={onClose} />;
  }

  return (
    <Dialog
      title={`Reprocess ${count} ${eventsNoun(count)}?`}
      description={`${count === 1 ? 'This event goes' : 'These events go'} back to the queue and run again from the stored payload, with attempts counted from zero. Handlers are idempotent: what was applied before is not applied twice.`}
      onClose={onClose}
      busy={reprocess.isPending}
      size="wide"
      footer={
        <>
          <Button onClick={onClose} disabled={reprocess.isPending}>
            Cancel
          </Button>
          <Button
            variant="primary"
            busy={reprocess.isPending}
            onClick={() =>
              reprocess.mutate(
                events.map((event) => event.id),
                { onSuccess: (result) => onReprocessed?.(result) },
              )
            }
          >
            Reprocess {count} {eventsNoun(count)}
          </Button>
        </>
      }
    >
      <DataTable
        short
        rows={events}
        rowKey={(event) => event.id}
        caption="Events to reprocess"
        empty="No events to reprocess"
        columns={[
          { header: 'Event', cell: (event) => `#${event.id}` },
          { header: 'Provider', cell: (event) => event.provider },
          { header: 'Type', cell: (event) => <code>{event.event_type}</code> },
          {
            header: 'Tenant',
            shown: showTenant,
            cell: (event) => (event.tenant_id === null || event.tenant_id === undefined ? 'No tenant' : tenantName(event.tenant_id)),
          },
          { header: 'Status', cell: (event) => <StatusBadge status={event.status} /> },
          { header: 'Last error', cellClassName: 'small', cell: (event) => event.last_error ?? '—' },
        ]}
      />
      {reprocess.error && <InlineError error={reprocess.error} />}
    </Dialog>
  );
}
