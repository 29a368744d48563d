import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';

import type { BulkJob } from '@/api/types';
import type { Column } from '@/components/DataTable';
import { SelectField } from '@/components/fields';
import { PagedTable } from '@/components/PagedTable';
import { PageHeader } from '@/components/Panel';
import { ProgressBar } from '@/components/ProgressBar';
import { RelativeTime } from '@/components/RelativeTime';
import { StatusBadge } from '@/components/StatusBadge';
import { describeBulkAction } from '@/lib/bulk-action-names';
import { formatNumber, humanize } from '@/lib/format';
import { isMoving } from '@/lib/live-job-queries';
import { useTenantParam } from '@/lib/tenant-scope';
import { useTenantName } from '@/lib/tenants';
import { isStaff, useCan, useMe } from '@/lib/use-session';

import { BULK_ACTIONS } from '@/features/bulk-jobs/actions';
import { BULK_JOB_STATUSES, useBulkJobs, useLiveBulkJobs } from '@/features/bulk-jobs/api';

/** Every bulk job, newest first, with live progress for those still running. */
export function BulkJobsPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const tenantId = useTenantParam();
  const tenantName = useTenantName();
  const { data: me } = useMe();
  const can = useCan();
  const showTenant = me !== undefined && isStaff(me) && tenantId === undefined;
  const statusParam = searchParams.get('status');
  const actionParam = searchParams.get('action');
  const filters = {
    status: BULK_JOB_STATUSES.find((status) => status === statusParam),
    action: BULK_ACTIONS.find((action) => action.name === actionParam)?.name,
    tenantId,
  };
  const live = useLiveBulkJobs();
  const jobs = useBulkJobs(filters, live === 'live');
  const rows = useMemo(() => jobs.data?.pages.flatMap((page) => page.items) ?? [], [jobs.data]);

  const columns: Column<BulkJob>[] = [
    { header: 'Job', cell: (job) => <Link to={`/bulk-jobs/${job.id}`}>#{job.id}</Link> },
    { header: 'Change', cell: (job) => describeBulkAction(job.action, job.params) },
    {
      header: 'Tenant',
      shown: showTenant,
      cell: (job) => (job.tenant_id === null || job.tenant_id === undefined ? 'Every tenant' : tenantName(job.tenant_id)),
    },
    { header: 'Status', cell: (job) => <StatusBadge status={job.status} /> },
    {
      header: 'Progress',
      headerClassName: 'table__progress',
      cell: (job) =>
        isMoving(job) ? (
          <ProgressBar percent={job.percent} label={`Bulk job #${job.id}`} detail={`${formatNumber(job.processed)} of ${formatNumber(job.total)} rows`} />
        ) : (
          <span className="muted small">
            {formatNumber(job.processed)} of {formatNumber(job.total)} rows
          </span>
        ),
    },
    { header: 'Changed', numeric: true, cell: (job) => formatNumber(job.succeeded) },
    { header: 'Failed', numeric: true, cell: (job) => <span className={job.failed > 0 ? 'text-danger' : undefined}>{formatNumber(job.failed)}</span> },
    { header: 'Requested', cell: (job) => <RelativeTime iso={job.created_at} /> },
  ];

  function setFilter(name: string, value: string) {
    const next = new URLSearchParams(searchParams);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearchParams(next, { replace: true });
  }

  return (
    <>
      <PageHeader
        title="Bulk jobs"
        description={
          can('bulk:run') ? (
            <>
              Changes to many catalog rows at once. Start one from the <Link to="/catalog/products">products</Link>, <Link to="/catalog/articles">articles</Link> or{' '}
              <Link to="/catalog/comments">comments</Link> list.
            </>
          ) : (
            'Changes to many catalog rows at once.'
          )
        }
      />
      <div className="filters" role="search" aria-label="Filter bulk jobs">
        <SelectField
          label="Status"
          value={filters.status ?? ''}
          onChange={(event) => setFilter('status', event.target.value)}
          options={[{ value: '', label: 'Any status' }, ...BULK_JOB_STATUSES.map((value) => ({ value, label: humanize(value.toLowerCase()) }))]}
        />
        <SelectField
          label="Action"
          value={filters.action ?? ''}
          onChange={(event) => setFilter('action', event.target.value)}
          options={[{ value: '', label: 'Any action' }, ...BULK_ACTIONS.map((action) => ({ value: action.name, label: `${humanize(action.table)}: ${action.label.toLowerCase()}` }))]}
        />
      </div>
      <PagedTable pages={jobs} rows={rows} columns={columns} noun="bulk jobs" filtered={filters.status !== undefined || filters.action !== undefined} />
    </>
  );
}
