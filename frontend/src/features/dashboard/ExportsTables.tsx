import { Link } from 'react-router';

import type { ExportJob } from '@/api/types';
import { RelativeTime } from '@/components/RelativeTime';
import { EmptyState } from '@/components/states';
import { StatusBadge } from '@/components/StatusBadge';
import { humanize } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';

import { DASHBOARD_ROWS, ShownOf } from '@/features/dashboard/limits';

interface ExportsTableProps {
  jobs: readonly ExportJob[];
  showTenant: boolean;
}

export function FailedExportsTable({ jobs, showTenant }: ExportsTableProps) {
  const tenantName = useTenantName();
  if (jobs.length === 0) return <EmptyState title="No failed exports" />;
  return (
    <div className="table-scroll">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Dataset</th>
            {showTenant && <th scope="col">Tenant</th>}
            <th scope="col" className="numeric">Attempts</th>
            <th scope="col">Last error</th>
            <th scope="col">Failed</th>
          </tr>
        </thead>
        <tbody>
          {jobs.slice(0, DASHBOARD_ROWS).map((job) => (
            <tr key={job.id}>
              <td>
                <Link to={`/exports/${job.id}`}>#{job.id}</Link>
              </td>
              <td>{humanize(job.dataset)}</td>
              {showTenant && <td>{tenantName(job.tenant_id)}</td>}
              <td className="numeric">
                {job.attempts}/{job.max_attempts}
              </td>
              <td className="truncate truncate--wide" title={job.last_error ?? undefined}>
                {job.last_error ?? '—'}
              </td>
              <td>
                <RelativeTime iso={job.finished_at ?? job.created_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ShownOf shown={Math.min(jobs.length, DASHBOARD_ROWS)} total={jobs.length} />
    </div>
  );
}

export function ActiveExportsTable({ jobs, showTenant }: ExportsTableProps) {
  const tenantName = useTenantName();
  if (jobs.length === 0) return <EmptyState title="No exports queued or running" />;
  return (
    <div className="table-scroll">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Dataset</th>
            {showTenant && <th scope="col">Tenant</th>}
            <th scope="col">Status</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {jobs.slice(0, DASHBOARD_ROWS).map((job) => (
            <tr key={job.id}>
              <td>
                <Link to={`/exports/${job.id}`}>#{job.id}</Link>
              </td>
              <td>{humanize(job.dataset)}</td>
              {showTenant && <td>{tenantName(job.tenant_id)}</td>}
              <td>
                <StatusBadge status={job.status} />
              </td>
              <td>
                <RelativeTime iso={job.created_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ShownOf shown={Math.min(jobs.length, DASHBOARD_ROWS)} total={jobs.length} />
    </div>
  );
}
