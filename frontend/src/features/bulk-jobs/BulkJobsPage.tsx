import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';

import { SelectField } from '@/components/fields';
import { LoadMoreFooter } from '@/components/LoadMoreFooter';
import { PageHeader } from '@/components/Panel';
import { ProgressBar } from '@/components/ProgressBar';
import { RelativeTime } from '@/components/RelativeTime';
import { EmptyState, ErrorState, LoadingState } from '@/components/states';
import { StatusBadge } from '@/components/StatusBadge';
import { describeBulkAction } from '@/lib/bulk-action-names';
import { formatNumber, humanize } from '@/lib/format';
import { useTenantParam } from '@/lib/tenant-scope';
import { useTenantName } from '@/lib/tenants';
import { isStaff, useCan, useMe } from '@/lib/use-session';

import { BULK_ACTIONS } from '@/features/bulk-jobs/actions';
import { BULK_JOB_STATUSES, isMoving, useBulkJobs, useLiveBulkJobs } from '@/features/bulk-jobs/api';

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
      {jobs.isPending ? (
        <LoadingState label="Loading bulk jobs…" />
      ) : jobs.isError && rows.length === 0 ? (
        <ErrorState error={jobs.error} title="Bulk jobs could not be loaded" onRetry={() => void jobs.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title={filters.status || filters.action ? 'No bulk jobs match these filters' : 'No bulk jobs yet'} />
      ) : (
        <>
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Change</th>
                  {showTenant && <th scope="col">Tenant</th>}
                  <th scope="col">Status</th>
                  <th scope="col" className="table__progress">
                    Progress
                  </th>
                  <th scope="col" className="numeric">
                    Changed
                  </th>
                  <th scope="col" className="numeric">
                    Failed
                  </th>
                  <th scope="col">Requested</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((job) => (
                  <tr key={job.id}>
                    <td>
                      <Link to={`/bulk-jobs/${job.id}`}>#{job.id}</Link>
                    </td>
                    <td>{describeBulkAction(job.action, job.params)}</td>
                    {showTenant && <td>{job.tenant_id === null || job.tenant_id === undefined ? 'Every tenant' : tenantName(job.tenant_id)}</td>}
                    <td>
                      <StatusBadge status={job.status} />
                    </td>
                    <td>
                      {isMoving(job) ? (
                        <ProgressBar percent={job.percent} label={`Bulk job #${job.id}`} detail={`${formatNumber(job.processed)} of ${formatNumber(job.total)} rows`} />
                      ) : (
                        <span className="muted small">
                          {formatNumber(job.processed)} of {formatNumber(job.total)} rows
                        </span>
                      )}
                    </td>
                    <td className="numeric">{formatNumber(job.succeeded)}</td>
                    <td className={`numeric${job.failed > 0 ? ' text-danger' : ''}`}>{formatNumber(job.failed)}</td>
                    <td>
                      <RelativeTime iso={job.created_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMoreFooter pages={jobs} shown={rows.length} noun="bulk jobs" />
        </>
      )}
    </>
  );
}
