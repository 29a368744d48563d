import { useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { Link, useLocation, useParams } from 'react-router';

import type { AuditLogEntry } from '@/api/types';
import { PageHeader, Panel } from '@/components/Panel';
import { EmptyState } from '@/components/states';
import { OutcomeBadge } from '@/components/StatusBadge';
import { formatDateTime } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';

import { auditLogKey } from '@/features/audit/api';

interface AuditPage {
  items: AuditLogEntry[];
}

/** An entry the log already loaded (the API has no single-entry read). */
function findLoadedEntry(queryClient: QueryClient, id: number): AuditLogEntry | undefined {
  for (const [, data] of queryClient.getQueriesData<InfiniteData<AuditPage>>({ queryKey: auditLogKey })) {
    const found = data?.pages.flatMap((page) => page.items).find((entry) => entry.id === id);
    if (found) return found;
  }
  return undefined;
}

function entryFromState(state: unknown): AuditLogEntry | undefined {
  if (typeof state !== 'object' || state === null || !('entry' in state)) return undefined;
  return (state as { entry: AuditLogEntry }).entry;
}

export function AuditEntryPage() {
  const id = Number(useParams().id);
  const location = useLocation();
  const queryClient = useQueryClient();
  const tenantName = useTenantName();
  const passed = entryFromState(location.state);
  const entry = passed?.id === id ? passed : findLoadedEntry(queryClient, id);

  if (!entry) {
    return (
      <EmptyState title={`Audit entry #${Number.isFinite(id) ? id : '?'} is not loaded`}>
        Entries open from the <Link to="/audit">audit log</Link> or the dashboard; search the log to find this one.
      </EmptyState>
    );
  }

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
            <OutcomeBadge outcome={entry.outcome} />
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
