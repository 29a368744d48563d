import { Link } from 'react-router';

import type { ExportJob } from '@/api/types';
import { Button } from '@/components/Button';
import { RelativeTime } from '@/components/RelativeTime';
import { StatusBadge } from '@/components/StatusBadge';
import { formatBytes, formatNumber, humanize } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';
import type { Selection } from '@/lib/use-selection';

interface ExportJobsTableProps {
  jobs: readonly ExportJob[];
  showTenant: boolean;
  /** Present when the caller may retry (`exports:retry`): failed rows get a checkbox and a Retry button. */
  selection?: Selection | undefined;
  onRetry?: ((job: ExportJob) => void) | undefined;
  /** Present when the caller may download (`exports:download`). */
  onDownload?: ((job: ExportJob) => void) | undefined;
  downloadingId?: number | undefined;
}

export function ExportJobsTable({ jobs, showTenant, selection, onRetry, onDownload, downloadingId }: ExportJobsTableProps) {
  const tenantName = useTenantName();
  const failedIds = jobs.filter((job) => job.status === 'FAILED').map((job) => job.id);
  const allFailedSelected = selection !== undefined && failedIds.length > 0 && failedIds.every((id) => selection.selected.has(id));

  return (
    <div className="table-scroll">
      <table className="table table--interactive">
        <thead>
          <tr>
            {selection && (
              <th scope="col" className="table__check">
                <input
                  type="checkbox"
                  aria-label="Select every failed job shown"
                  checked={allFailedSelected}
                  disabled={failedIds.length === 0}
                  onChange={(event) => selection.setAll(failedIds, event.target.checked)}
                />
              </th>
            )}
            <th scope="col">Job</th>
            <th scope="col">Dataset</th>
            {showTenant && <th scope="col">Tenant</th>}
            <th scope="col">Status</th>
            <th scope="col" className="numeric">Rows</th>
            <th scope="col" className="numeric">Size</th>
            <th scope="col">Created</th>
            <th scope="col">Finished</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id} className={selection?.selected.has(job.id) ? 'is-selected' : undefined}>
              {selection && (
                <td className="table__check">
                  {job.status === 'FAILED' && (
                    <input type="checkbox" aria-label={`Select job #${job.id}`} checked={selection.selected.has(job.id)} onChange={() => selection.toggle(job.id)} />
                  )}
                </td>
              )}
              <td>
                <Link to={`/exports/${job.id}`}>#{job.id}</Link>
              </td>
              <td>{humanize(job.dataset)}</td>
              {showTenant && <td>{tenantName(job.tenant_id)}</td>}
              <td>
                <StatusBadge status={job.status} />
                {job.status === 'FAILED' && job.last_error && (
                  <span className="table__subtext truncate" title={job.last_error}>
                    {job.last_error}
                  </span>
                )}
              </td>
              <td className="numeric">{formatNumber(job.row_count)}</td>
              <td className="numeric">{formatBytes(job.byte_size)}</td>
              <td>
                <RelativeTime iso={job.created_at} />
              </td>
              <td>
                {/* A job waiting for its next attempt keeps the previous one's end time: not "finished". */}
                <RelativeTime iso={job.status === 'DONE' || job.status === 'FAILED' ? job.finished_at : null} />
              </td>
              <td className="table__actions">
                {onRetry && job.status === 'FAILED' && (
                  <Button size="small" onClick={() => onRetry(job)} aria-label={`Retry job #${job.id}`}>
                    Retry
                  </Button>
                )}
                {onDownload && job.downloadable && (
                  <Button size="small" onClick={() => onDownload(job)} busy={downloadingId === job.id} aria-label={`Download job #${job.id}`}>
                    Download
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
