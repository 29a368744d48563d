import { Link } from 'react-router';

import type { BulkProgress } from '@/api/types';
import { DataTable, type Column } from '@/components/DataTable';
import { ProgressBar } from '@/components/ProgressBar';
import { StatusBadge } from '@/components/StatusBadge';
import { describeBulkAction } from '@/lib/bulk-action-names';
import { formatNumber } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';

export function RunningBulkJobsTable({ jobs, showTenant }: { jobs: readonly BulkProgress[]; showTenant: boolean }) {
  const tenantName = useTenantName();
  const columns: Column<BulkProgress>[] = [
    { header: 'Job', cell: (job) => <Link to={`/bulk-jobs/${job.id}`}>#{job.id}</Link> },
    { header: 'Action', cell: (job) => describeBulkAction(job.action, {}) },
    { header: 'Tenant', shown: showTenant, cell: (job) => tenantName(job.tenant_id) },
    { header: 'Status', cell: (job) => <StatusBadge status={job.status} /> },
    {
      header: 'Progress',
      headerClassName: 'table__progress',
      cell: (job) => <ProgressBar percent={job.percent} label={`Bulk job #${job.id}`} detail={`${formatNumber(job.processed)} of ${formatNumber(job.total)} rows`} />,
    },
    {
      header: 'Rows',
      cellClassName: 'numeric',
      cell: (job) => (
        <>
          {formatNumber(job.processed)} / {formatNumber(job.total)}
          {job.failed > 0 && <span className="text-danger"> ({formatNumber(job.failed)} failed)</span>}
        </>
      ),
    },
  ];
  return <DataTable rows={jobs} columns={columns} rowKey={(job) => job.id} empty="No bulk jobs running" />;
}
