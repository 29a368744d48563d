import { Link } from 'react-router';

import type { BulkProgress } from '@/api/types';
import { ProgressBar } from '@/components/ProgressBar';
import { EmptyState } from '@/components/states';
import { StatusBadge } from '@/components/StatusBadge';
import { describeBulkAction } from '@/lib/bulk-action-names';
import { formatNumber } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';

export function RunningBulkJobsTable({ jobs, showTenant }: { jobs: readonly BulkProgress[]; showTenant: boolean }) {
  const tenantName = useTenantName();
  if (jobs.length === 0) return <EmptyState title="No bulk jobs running" />;
  return (
    <div className="table-scroll">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Action</th>
            {showTenant && <th scope="col">Tenant</th>}
            <th scope="col">Status</th>
            <th scope="col" className="table__progress">Progress</th>
            <th scope="col">Rows</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id}>
              <td>
                <Link to={`/bulk-jobs/${job.id}`}>#{job.id}</Link>
              </td>
              <td>{describeBulkAction(job.action, {})}</td>
              {showTenant && <td>{tenantName(job.tenant_id)}</td>}
              <td>
                <StatusBadge status={job.status} />
              </td>
              <td>
                <ProgressBar percent={job.percent} label={`Bulk job #${job.id}`} detail={`${formatNumber(job.processed)} of ${formatNumber(job.total)} rows`} />
              </td>
              <td className="numeric">
                {formatNumber(job.processed)} / {formatNumber(job.total)}
                {job.failed > 0 && <span className="text-danger"> ({formatNumber(job.failed)} failed)</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
