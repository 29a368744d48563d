import { Link, useParams } from 'react-router';

import { PageHeader, Panel } from '@/components/Panel';
import { EmptyState, ErrorState, LoadingState } from '@/components/states';
import { OutcomeBadge } from '@/components/StatusBadge';
import { formatDateTime } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';

import { useAuditEntry } from '@/features/audit/api';

export function AuditEntryPage() {
  const id = Number(useParams().id);
  const tenantName = useTenantName();
  const query = useAuditEntry(id);

  if (!Number.isInteger(id) || id <= 0) return <EmptyState title="There is no audit entry at this address" />;
  if (query.isPending) return <LoadingState label="Loading the audit entry…" />;
  if (query.isError) {
    return <ErrorState error={query.error} title={`Audit entry #${id} could not be loaded`} onRetry={() => void query.refetch()} />;
  }

  const entry = query.data;
  return (
    <>
      <p className="breadcrumbs">
        <Link to="/audit">Audit log</Link> / #{entry.id}
      </p>
      <PageHeader title={entry.action} description={`Entry #${entry.id}, ${formatDateTime(entry.occurred_at, true)}`} />
      <Panel title="What happened">
        <dl className="details">
          <dt>Actor</dt>
          <dd>
            {entry.actor_label} ({entry.actor_type}
            {entry.actor_id !== null && entry.actor_id !== undefined ? ` #${entry.actor_id}` : ''})
          </dd>
          <dt>Tenant</dt>
          <dd>{entry.tenant_id === null || entry.tenant_id === undefined ? '—' : tenantName(entry.tenant_id)}</dd>
          <dt>Request</dt>
          <dd>
            {entry.method && entry.path ? (
              <code>
                {entry.method} {entry.path}
              </code>
            ) : (
              '—'
            )}
          </dd>
          <dt>Outcome</dt>
          <dd>
            <OutcomeBadge outcome={entry.outcome} status={entry.status} reason={entry.reason} />
          </dd>
          <dt>Target</dt>
          <dd>{entry.target_type ? `${entry.target_type} ${entry.target_id ?? ''}` : '—'}</dd>
          <dt>IP</dt>
          <dd>{entry.ip ?? '—'}</dd>
          <dt>Request id</dt>
          <dd>{entry.request_id ? <code>{entry.request_id}</code> : '—'}</dd>
        </dl>
      </Panel>
      <Panel title="Details">
        <pre className="code-block">{JSON.stringify(entry.metadata, null, 2)}</pre>
      </Panel>
      <Panel title="Hash chain">
        <dl className="details">
          <dt>Previous hash</dt>
          <dd>
            <code className="wrap">{entry.prev_hash}</code>
          </dd>
          <dt>Hash</dt>
          <dd>
            <code className="wrap">{entry.hash}</code>
          </dd>
        </dl>
      </Panel>
    </>
  );
}
