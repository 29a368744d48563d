import { Link } from 'react-router';

import type { ExportJob } from '@/api/types';
import { DataTable, type Column } from '@/components/DataTable';
import { RelativeTime } from '@/components/RelativeTime';
import { StatusBadge } from '@/components/StatusBadge';
import { humanize } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';

import { DASHBOARD_ROWS, ShownOf } from '@/features/dashboard/limits';

interface ExportsTableProps {
  jobs: readonly ExportJob[];
  showTenant: boolean;
}

function useLeadingColumns(showTenant: boolean): Column<ExportJob>[] {
  const tenantName = useTenantName();
  return [
    { header: 'Job', cell: (job) => <Link to={`/exports/${job.id}`}>#{job.id}</Link> },
    { header: 'Dataset', cell: (job) => humanize(job.dataset) },
    { header: 'Tenant', cell: (job) => tenantName(job.tenant_id), shown: showTenant },
  ];
}

function DashboardExports({ jobs, columns, empty }: { jobs: readonly ExportJob[]; columns: Column<ExportJob>[]; empty: string }) {
  return (
    <DataTable
      rows={jobs.slice(0, DASHBOARD_ROWS)}
      columns={columns}
      rowKey={(job) => job.id}
      empty={empty}
      footer={<ShownOf shown={Math.min(jobs.length, DASHBOARD_ROWS)} total={jobs.length} />}
    />
  );
}

export function FailedExportsTable({ jobs, showTenant }: ExportsTableProps) {
  const columns: Column<ExportJob>[] = [
    ...useLeadingColumns(showTenant),
    { header: 'Attempts', numeric: true, cell: (job) => `${job.attempts}/${job.max_attempts}` },
    { header: 'Last error', cellClassName: 'truncate truncate--wide', cellTitle: (job) => job.last_error ?? undefined, cell: (job) => job.last_error ?? '—' },
    { header: 'Failed', cell: (job) => <RelativeTime iso={job.finished_at ?? job.created_at} /> },
  ];
  return <DashboardExports jobs={jobs} columns={columns} empty="No failed exports" />;
}

export function ActiveExportsTable({ jobs, showTenant }: ExportsTableProps) {
  const columns: Column<ExportJob>[] = [
    ...useLeadingColumns(showTenant),
    { header: 'Status', cell: (job) => <StatusBadge status={job.status} /> },
    { header: 'Created', cell: (job) => <RelativeTime iso={job.created_at} /> },
  ];
  return <DashboardExports jobs={jobs} columns={columns} empty="No exports queued or running" />;
}
