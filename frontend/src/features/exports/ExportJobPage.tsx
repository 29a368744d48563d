import { useState } from 'react';
import { Link, useParams } from 'react-router';

import { Button } from '@/components/Button';
import { PageHeader, Panel } from '@/components/Panel';
import { RelativeTime } from '@/components/RelativeTime';
import { ErrorState, InlineError, LoadingState } from '@/components/states';
import { StatusBadge } from '@/components/StatusBadge';
import { formatBytes, formatDateTime, formatNumber, humanize } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';
import { isStaff, useCan, useMe } from '@/lib/use-session';

import { useDownloadExport, useExportJob, useLiveExportJobs } from '@/features/exports/api';
import { RetryExportsDialog } from '@/features/exports/RetryExportsDialog';

export function ExportJobPage() {
  const id = Number(useParams().id);
  const live = useLiveExportJobs();
  const job = useExportJob(id, live === 'live');
  const can = useCan();
  const { data: me } = useMe();
  const tenantName = useTenantName();
  const download = useDownloadExport();
  const [confirmingRetry, setConfirmingRetry] = useState(false);

  if (!Number.isInteger(id) || id <= 0) return <ErrorState error={new Error('This is not an export job address.')} />;
  if (job.isPending) return <LoadingState label="Loading the export job…" />;
  if (job.isError) return <ErrorState error={job.error} title={`Export job #${id} could not be loaded`} onRetry={() => void job.refetch()} />;

  const data = job.data;
  const filters = Object.entries(data.filters).filter(([, value]) => Boolean(value));

  return (
    <>
      <p className="breadcrumbs">
        <Link to="/exports">Export jobs</Link> / #{data.id}
      </p>
      <PageHeader
        title={`Export #${data.id}: ${humanize(data.dataset)}`}
        description={<StatusBadge status={data.status} />}
        actions={
          <>
            {can('exports:retry') && data.status === 'FAILED' && <Button onClick={() => setConfirmingRetry(true)}>Retry</Button>}
            {can('exports:download') && data.downloadable && (
              <Button variant="primary" busy={download.isPending} onClick={() => download.mutate(data)}>
                Download CSV
              </Button>
            )}
          </>
        }
      />
      {download.error && <InlineError error={download.error} />}
      {data.status === 'FAILED' && data.last_error && (
        <div className="inline-error" role="alert">
          <p className="state__title">The last run failed</p>
          <p>{data.last_error}</p>
        </div>
      )}
      <Panel title="Details">
        <dl className="details">
          <dt>Tenant</dt>
          <dd>{me && isStaff(me) ? tenantName(data.tenant_id) : 'Your tenant'}</dd>
          <dt>Filters</dt>
          <dd>{filters.length === 0 ? 'None' : filters.map(([key, value]) => `${humanize(key)}: ${String(value)}`).join(', ')}</dd>
          <dt>Attempts</dt>
          <dd>
            {data.attempts} of {data.max_attempts}
          </dd>
          <dt>Rows</dt>
          <dd>{formatNumber(data.row_count)}</dd>
          <dt>Size</dt>
          <dd>{formatBytes(data.byte_size)}</dd>
          <dt>SHA-256</dt>
          <dd>{data.checksum_sha256 ? <code className="wrap">{data.checksum_sha256}</code> : '—'}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(data.created_at, true)}</dd>
          <dt>Started</dt>
          <dd>{formatDateTime(data.started_at, true)}</dd>
          <dt>Finished</dt>
          <dd>{formatDateTime(data.finished_at, true)}</dd>
          <dt>Expires</dt>
          <dd>{data.expires_at ? <RelativeTime iso={data.expires_at} /> : '—'}</dd>
        </dl>
      </Panel>
      {confirmingRetry && <RetryExportsDialog jobs={[data]} showTenant={me !== undefined && isStaff(me)} onClose={() => setConfirmingRetry(false)} />}
    </>
  );
}
