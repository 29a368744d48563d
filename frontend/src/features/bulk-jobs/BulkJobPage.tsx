import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import type { BulkJob } from '@/api/types';
import { Button } from '@/components/Button';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { Notice } from '@/components/Notice';
import { PageHeader, Panel } from '@/components/Panel';
import { ProgressBar } from '@/components/ProgressBar';
import { ErrorState, LoadingState } from '@/components/states';
import { StatusBadge } from '@/components/StatusBadge';
import { describeBulkAction } from '@/lib/bulk-action-names';
import { formatDateTime, formatNumber } from '@/lib/format';
import { isMoving } from '@/lib/live-job-queries';
import { CATALOG_QUERY_KEY } from '@/lib/query-keys';
import { useTenantName } from '@/lib/tenants';
import { isStaff, useCan, useMe } from '@/lib/use-session';

import { tableOf } from '@/features/bulk-jobs/actions';
import { useBulkJob, useCancelBulkJob, useLiveBulkJobs, useRetryFailedRows } from '@/features/bulk-jobs/api';
import { describeTarget } from '@/features/bulk-jobs/describe-target';
import { FailedRowsPanel } from '@/features/bulk-jobs/FailedRowsPanel';
import { LiveIndicator } from '@/features/bulk-jobs/LiveIndicator';

function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.ceil(seconds / 60)} min`;
}

function formatRate(rate: number | null | undefined): string {
  return rate ? `${formatNumber(Math.round(rate))} rows/s` : '—';
}

/** One bulk job: live progress while it runs, then its result, the rows it failed on, and a retry of just those. */
export function BulkJobPage() {
  const id = Number(useParams().id);
  const live = useLiveBulkJobs();
  const job = useBulkJob(id, live === 'live');
  const status = job.data?.status;
  const queryClient = useQueryClient();

  // Rows changed: catalog lists read them again when next shown.
  useEffect(() => {
    if (status === 'DONE' || status === 'FAILED' || status === 'CANCELLED') void queryClient.invalidateQueries({ queryKey: CATALOG_QUERY_KEY });
  }, [status, queryClient]);

  if (!Number.isInteger(id) || id <= 0) return <ErrorState error={new Error('This is not a bulk job address.')} />;
  if (job.isPending) return <LoadingState label="Loading the bulk job…" />;
  if (job.isError) return <ErrorState error={job.error} title={`Bulk job #${id} could not be loaded`} onRetry={() => void job.refetch()} />;
  return <BulkJobView job={job.data} live={live === 'live'} />;
}

function BulkJobView({ job, live }: { job: BulkJob; live: boolean }) {
  const can = useCan();
  const { data: me } = useMe();
  const tenantName = useTenantName();
  const navigate = useNavigate();
  const cancel = useCancelBulkJob(job.id);
  const retry = useRetryFailedRows(job.id);
  const [confirming, setConfirming] = useState<'cancel' | 'retry' | null>(null);
  const moving = isMoving(job);
  const table = tableOf(job.action);
  const change = describeBulkAction(job.action, job.params);

  return (
    <>
      <p className="breadcrumbs">
        <Link to="/bulk-jobs">Bulk jobs</Link> / #{job.id}
      </p>
      <PageHeader
        title={`Bulk job #${job.id}: ${change}`}
        description={
          <span className="inline-items">
            <StatusBadge status={job.status} />
            {moving && <LiveIndicator live={live} />}
          </span>
        }
        actions={
          can('bulk:run') && (
            <>
              {moving && !job.cancel_requested_at && (
                <Button variant="danger" onClick={() => setConfirming('cancel')}>
                  Cancel job
                </Button>
              )}
              {!moving && job.failed > 0 && <Button onClick={() => setConfirming('retry')}>Retry the failed rows</Button>}
            </>
          )
        }
      />
      <JobOutcome job={job} />
      <Panel title="Progress">
        <ProgressBar percent={job.percent} label={`Bulk job #${job.id}`} detail={`${formatNumber(job.processed)} of ${formatNumber(job.total)} rows`} />
        <dl className="stats" aria-label="Counts">
          <div>
            <dt>Processed</dt>
            <dd>
              {formatNumber(job.processed)} <span className="muted">of {formatNumber(job.total)}</span>
            </dd>
          </div>
          <div>
            <dt>Changed</dt>
            <dd>{formatNumber(job.succeeded)}</dd>
          </div>
          <div>
            <dt>Failed</dt>
            <dd className={job.failed > 0 ? 'text-danger' : undefined}>{formatNumber(job.failed)}</dd>
          </div>
          <div>
            <dt>Rate</dt>
            <dd>{formatRate(job.rate_per_second)}</dd>
          </div>
          <div>
            <dt>Time left</dt>
            <dd>{moving ? formatEta(job.eta_seconds) : '—'}</dd>
          </div>
        </dl>
      </Panel>
      <Panel title="What it changes">
        <dl className="details">
          <dt>Change</dt>
          <dd>{change}</dd>
          <dt>Rows</dt>
          <dd>
            {job.retry_of_id === null || job.retry_of_id === undefined ? (
              describeTarget(table, job.target)
            ) : (
              <>
                The rows <Link to={`/bulk-jobs/${job.retry_of_id}`}>bulk job #{job.retry_of_id}</Link> failed on
              </>
            )}
          </dd>
          <dt>Where</dt>
          <dd>{me && isStaff(me) ? (job.tenant_id === null || job.tenant_id === undefined ? 'Every tenant' : tenantName(job.tenant_id)) : 'Your tenant'}</dd>
          <dt>Requested</dt>
          <dd>{formatDateTime(job.created_at, true)}</dd>
          <dt>Started</dt>
          <dd>{formatDateTime(job.started_at, true)}</dd>
          <dt>Finished</dt>
          <dd>{formatDateTime(job.finished_at, true)}</dd>
          <dt>Chunks</dt>
          <dd>
            {formatNumber(job.chunk_size)} rows per transaction; attempt {job.attempts} of {job.max_attempts}
          </dd>
        </dl>
      </Panel>
      {job.failed > 0 && <FailedRowsPanel job={job} table={table} />}

      {confirming === 'cancel' && (
        <ConfirmDialog
          title={`Cancel bulk job #${job.id}?`}
          confirmLabel="Cancel the job"
          busy={cancel.isPending}
          error={cancel.error}
          onClose={() => setConfirming(null)}
          onConfirm={() => cancel.mutate(undefined, { onSuccess: () => setConfirming(null) })}
        >
          <p>
            The job stops after the chunk it is working on. The {formatNumber(job.processed)} rows already processed keep their change; the other{' '}
            {formatNumber(job.total - job.processed)} stay as they are.
          </p>
        </ConfirmDialog>
      )}
      {confirming === 'retry' && (
        <ConfirmDialog
          title={`Retry ${formatNumber(job.failed)} failed ${job.failed === 1 ? 'row' : 'rows'}?`}
          confirmLabel="Start the retry"
          tone="primary"
          busy={retry.isPending}
          error={retry.error}
          onClose={() => setConfirming(null)}
          onConfirm={() => retry.mutate(undefined, { onSuccess: (next) => void navigate(`/bulk-jobs/${next.id}`) })}
        >
          <p>
            A new job applies the same change ({change.toLowerCase()}) to just the rows listed under “Failed rows”. Rows already changed are not touched again.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** The result, once there is one; or that a cancellation is under way. */
function JobOutcome({ job }: { job: BulkJob }) {
  if (job.status === 'DONE') {
    return (
      <Notice tone={job.failed > 0 ? 'warning' : 'success'}>
        Done: {formatNumber(job.succeeded)} of {formatNumber(job.total)} rows changed
        {job.failed > 0 ? `, ${formatNumber(job.failed)} failed (listed below).` : '.'}
      </Notice>
    );
  }
  if (job.status === 'CANCELLED') {
    return (
      <Notice tone="warning">
        Cancelled after {formatNumber(job.processed)} of {formatNumber(job.total)} rows; what was done stays done.
      </Notice>
    );
  }
  if (job.status === 'FAILED') {
    return (
      <div className="inline-error" role="alert">
        <p className="state__title">The job failed after {formatNumber(job.processed)} of {formatNumber(job.total)} rows</p>
        {job.last_error && <p>{job.last_error}</p>}
      </div>
    );
  }
  if (job.cancel_requested_at) return <Notice tone="info">Cancellation requested: the job stops after its current chunk.</Notice>;
  return null;
}
