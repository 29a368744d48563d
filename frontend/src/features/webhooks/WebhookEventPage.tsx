import { useState } from 'react';
import { Link, useParams } from 'react-router';

import { Button } from '@/components/Button';
import { Notice } from '@/components/Notice';
import { PageHeader, Panel } from '@/components/Panel';
import { ErrorState, LoadingState } from '@/components/states';
import { StatusBadge } from '@/components/StatusBadge';
import { formatDateTime } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';
import { useCan } from '@/lib/use-session';

import { isFinished, useWebhookEvent } from '@/features/webhooks/api';
import { ReprocessEventsDialog } from '@/features/webhooks/ReprocessEventsDialog';

export function WebhookEventPage() {
  const id = Number(useParams().id);
  const event = useWebhookEvent(id);
  const tenantName = useTenantName();
  const can = useCan();
  const [confirmingReprocess, setConfirmingReprocess] = useState(false);
  const [requeued, setRequeued] = useState(false);

  if (!Number.isInteger(id) || id <= 0) return <ErrorState error={new Error('This is not a webhook event address.')} />;
  if (event.isPending) return <LoadingState label="Loading the event…" />;
  if (event.isError) return <ErrorState error={event.error} title={`Webhook event #${id} could not be loaded`} onRetry={() => void event.refetch()} />;
  const data = event.data;

  return (
    <>
      <p className="breadcrumbs">
        <Link to="/webhooks">Webhook events</Link> / #{data.id}
      </p>
      <PageHeader
        title={`${data.provider}: ${data.event_type}`}
        description={<StatusBadge status={data.status} />}
        actions={
          can('webhooks:reprocess') &&
          isFinished(data) && (
            <Button variant="primary" onClick={() => setConfirmingReprocess(true)}>
              Reprocess
            </Button>
          )
        }
      />
      {requeued && (
        <Notice onDismiss={() => setRequeued(false)}>The event is back in the queue; this page follows it until it is processed.</Notice>
      )}
      {data.last_error && (
        <div className={data.status === 'FAILED' ? 'inline-error' : 'notice notice--info'} role="status">
          {data.last_error}
        </div>
      )}
      <Panel title="Event">
        <dl className="details">
          <dt>Provider event id</dt>
          <dd>
            <code>{data.event_id}</code>
          </dd>
          <dt>Tenant</dt>
          <dd>{data.tenant_id === null || data.tenant_id === undefined ? 'No tenant matched' : tenantName(data.tenant_id)}</dd>
          <dt>Attempts</dt>
          <dd>
            {data.attempts} of {data.max_attempts}
          </dd>
          <dt>Received</dt>
          <dd>{formatDateTime(data.received_at, true)}</dd>
          <dt>Processed</dt>
          <dd>{formatDateTime(data.processed_at, true)}</dd>
        </dl>
      </Panel>
      <Panel title="Payload">
        <pre className="code-block">{JSON.stringify(data.payload, null, 2)}</pre>
      </Panel>
      <Panel title="Attempts">
        {data.attempt_history.length === 0 ? (
          <p className="muted">Not run yet.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Worker</th>
                <th scope="col">Started</th>
                <th scope="col">Finished</th>
                <th scope="col">Outcome</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {data.attempt_history.map((attempt) => (
                <tr key={`${attempt.attempt}-${attempt.started_at}`}>
                  <td className="numeric">{attempt.attempt}</td>
                  <td className="truncate">{attempt.worker}</td>
                  <td>{formatDateTime(attempt.started_at, true)}</td>
                  <td>{formatDateTime(attempt.finished_at, true)}</td>
                  <td>{attempt.outcome ?? 'running'}</td>
                  <td className="truncate" title={attempt.error ?? undefined}>
                    {attempt.error ?? '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      {confirmingReprocess && (
        <ReprocessEventsDialog
          events={[data]}
          showTenant={false}
          onClose={() => setConfirmingReprocess(false)}
          onReprocessed={() => setRequeued(true)}
        />
      )}
    </>
  );
}
