import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';

import { api, unwrap } from '@/api/client';
import type { BulkJob } from '@/api/types';
import { PageHeader, Panel } from '@/components/Panel';
import { ProgressBar } from '@/components/ProgressBar';
import { ErrorState, LoadingState } from '@/components/states';
import { StatusBadge } from '@/components/StatusBadge';
import { formatDateTime, formatNumber, humanize } from '@/lib/format';

function isMoving(job: Pick<BulkJob, 'status'>): boolean {
  return job.status === 'PENDING' || job.status === 'RUNNING';
}

function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.ceil(seconds / 60)} min`;
}

/** One bulk job and its progress, polled while it runs. Starting and cancelling jobs come with the bulk-jobs screens. */
export function BulkJobPage() {
  const id = Number(useParams().id);
  const job = useQuery({
    queryKey: ['bulk-jobs', 'detail', id],
    queryFn: () => unwrap(api.GET('/api/v1/bulk-jobs/{id}', { params: { path: { id } } })),
    enabled: Number.isInteger(id) && id > 0,
    refetchInterval: (query) => (query.state.data && isMoving(query.state.data) ? 2_000 : false),
  });

  if (!Number.isInteger(id) || id <= 0) return <ErrorState error={new Error('This is not a bulk job address.')} />;
  if (job.isPending) return <LoadingState label="Loading the bulk job…" />;
  if (job.isError) return <ErrorState error={job.error} title={`Bulk job #${id} could not be loaded`} onRetry={() => void job.refetch()} />;
  const data = job.data;

  return (
    <>
      <PageHeader title={`Bulk job #${data.id}: ${humanize(data.action)}`} description={<StatusBadge status={data.status} />} />
      <Panel title="Progress">
        <ProgressBar percent={data.percent} label={`Bulk job #${data.id}`} detail={`${formatNumber(data.processed)} of ${formatNumber(data.total)} rows`} />
        <dl className="details">
          <dt>Rows</dt>
          <dd>
            {formatNumber(data.processed)} of {formatNumber(data.total)} ({formatNumber(data.succeeded)} changed, {formatNumber(data.failed)} failed)
          </dd>
          <dt>Rate</dt>
          <dd>{data.rate_per_second ? `${formatNumber(Math.round(data.rate_per_second))} rows/s` : '—'}</dd>
          <dt>Time left</dt>
          <dd>{isMoving(data) ? formatEta(data.eta_seconds) : '—'}</dd>
          <dt>Started</dt>
          <dd>{formatDateTime(data.started_at, true)}</dd>
          <dt>Finished</dt>
          <dd>{formatDateTime(data.finished_at, true)}</dd>
          {data.last_error && (
            <>
              <dt>Last error</dt>
              <dd>{data.last_error}</dd>
            </>
          )}
        </dl>
      </Panel>
      <Panel title="Parameters">
        <pre className="code-block">{JSON.stringify({ params: data.params, target: data.target }, null, 2)}</pre>
      </Panel>
    </>
  );
}
