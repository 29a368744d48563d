import { useNavigate } from 'react-router';

import type { BulkJobRequest, BulkPreview } from '@/api/types';
import { Button } from '@/components/Button';
import { Dialog } from '@/components/Dialog';
import { RelativeTime } from '@/components/RelativeTime';
import { EmptyState, InlineError } from '@/components/states';
import { describeBulkAction } from '@/lib/bulk-action-names';
import type { BulkTable } from '@/lib/bulk-target';
import { formatNumber } from '@/lib/format';

import { useStartBulkJob } from '@/features/bulk-jobs/api';
import { describeTarget } from '@/features/bulk-jobs/describe-target';
import { SampleChanges } from '@/features/bulk-jobs/SampleChanges';

interface BulkPreviewDialogProps {
  preview: BulkPreview;
  /** The request previewed; confirming sends exactly this with the preview's token. */
  request: BulkJobRequest;
  table: BulkTable;
  /** Where the rows are: a tenant's name, "every tenant" or "your tenant". */
  scopeLabel: string;
  showTenant: boolean;
  onClose: () => void;
}

/** What a bulk job would do (count, a sample before -> after, ids left alone), and the one button that starts it. */
export function BulkPreviewDialog({ preview, request, table, scopeLabel, showTenant, onClose }: BulkPreviewDialogProps) {
  const start = useStartBulkJob();
  const navigate = useNavigate();
  const change = describeBulkAction(preview.action, preview.params);
  const rows = `${formatNumber(preview.total)} ${preview.total === 1 ? table.replace(/s$/, '') : table}`;
  const byFilter = request.target.filter !== undefined && request.target.filter !== null;

  function confirm() {
    start.mutate(
      { request, confirmationToken: preview.confirmation_token },
      // The preview's address is replaced: "back" from the progress page returns to the list.
      { onSuccess: (job) => void navigate(`/bulk-jobs/${job.id}`, { replace: true }) },
    );
  }

  return (
    <Dialog
      title={`${change}: ${rows}?`}
      description="Nothing has changed yet. This is what the job will do; it starts when you confirm."
      onClose={onClose}
      busy={start.isPending}
      size="wide"
      footer={
        <>
          <Button onClick={onClose} disabled={start.isPending}>
            Cancel
          </Button>
          <Button variant="primary" busy={start.isPending} disabled={preview.total === 0} onClick={confirm} data-autofocus>
            Start: {change.toLowerCase()} on {rows}
          </Button>
        </>
      }
    >
      <dl className="details details--compact">
        <dt>Rows</dt>
        <dd>
          {rows}
          {byFilter && <span className="muted"> (the filter is applied again when the job starts)</span>}
        </dd>
        <dt>Target</dt>
        <dd>{describeTarget(table, request.target)}</dd>
        <dt>Where</dt>
        <dd>{scopeLabel}</dd>
        <dt>Confirm before</dt>
        <dd>
          <RelativeTime iso={preview.expires_at} />
        </dd>
      </dl>
      {preview.foreign_ids.length > 0 && (
        <div className="notice notice--warning" role="status">
          {formatNumber(preview.foreign_ids.length)} of the chosen ids are not yours to change (or no longer exist) and will be left alone:{' '}
          {preview.foreign_ids.map((id) => `#${id}`).join(', ')}
        </div>
      )}
      {preview.total === 0 ? (
        <EmptyState title="Nothing to change">No row in your scope matches.</EmptyState>
      ) : (
        <>
          <h3 className="dialog__subheading">
            Sample: {preview.sample.length === preview.total ? `all ${rows}` : `the first ${formatNumber(preview.sample.length)} of ${rows}, lowest ids first`}
          </h3>
          <SampleChanges sample={preview.sample} showTenant={showTenant} />
        </>
      )}
      {start.error && <InlineError error={start.error} />}
    </Dialog>
  );
}
