import type { ExportJob, RetryResult } from '@/api/types';
import { Button } from '@/components/Button';
import { DataTable } from '@/components/DataTable';
import { Dialog } from '@/components/Dialog';
import { RequeuedDialog } from '@/components/RequeuedDialog';
import { InlineError } from '@/components/states';
import { humanize } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';

import { useRetryExports } from '@/features/exports/api';

interface RetryExportsDialogProps {
  /** The jobs the user chose; all of them are listed before anything happens. */
  jobs: readonly ExportJob[];
  onClose: () => void;
  onRetried?: (result: RetryResult) => void;
  showTenant: boolean;
}

/** Confirmation before retrying: what will be queued again, then what was (and what was skipped, and why). */
export function RetryExportsDialog({ jobs, onClose, onRetried, showTenant }: RetryExportsDialogProps) {
  const retry = useRetryExports();
  const tenantName = useTenantName();
  const count = jobs.length;
  const noun = count === 1 ? 'export job' : 'export jobs';

  if (retry.isSuccess) {
    const { retried, skipped } = retry.data;
    return (
      <RequeuedDialog
        title="Retry requested"
        noun="job"
        queuedIds={retried.map((job) => job.id)}
        skipped={skipped}
        onClose={onClose}
      />
    );
  }

  return (
    <Dialog
      title={`Retry ${count} ${noun}?`}
      description={`${count === 1 ? 'This job' : 'These jobs'} will be queued again and run from the start; attempts start counting again.`}
      onClose={onClose}
      busy={retry.isPending}
      size="wide"
      footer={
        <>
          <Button onClick={onClose} disabled={retry.isPending}>
            Cancel
          </Button>
          <Button
            variant="primary"
            busy={retry.isPending}
            onClick={() =>
              retry.mutate(
                jobs.map((job) => job.id),
                { onSuccess: (result) => onRetried?.(result) },
              )
            }
          >
            Retry {count} {noun}
          </Button>
        </>
      }
    >
      <DataTable
        short
        rows={jobs}
        rowKey={(job) => job.id}
        caption="Jobs to retry"
        empty="No jobs to retry"
        columns={[
          { header: 'Job', cell: (job) => `#${job.id}` },
          { header: 'Dataset', cell: (job) => humanize(job.dataset) },
          { header: 'Tenant', shown: showTenant, cell: (job) => tenantName(job.tenant_id) },
          { header: 'Attempts', cellClassName: 'numeric', cell: (job) => `${job.attempts}/${job.max_attempts}` },
          { header: 'Last error', cellClassName: 'truncate', cellTitle: (job) => job.last_error ?? undefined, cell: (job) => job.last_error ?? '—' },
        ]}
      />
      {retry.error && <InlineError error={retry.error} />}
    </Dialog>
  );
}
