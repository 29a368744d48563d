import type { ReactNode } from 'react';
import { Link } from 'react-router';

import type { ExportJob } from '@/api/types';
import { Button } from '@/components/Button';
import { selectedRowClass, selectionColumn, type Column } from '@/components/DataTable';
import { PagedTable, type ListQuery } from '@/components/PagedTable';
import { RelativeTime } from '@/components/RelativeTime';
import { StatusBadge } from '@/components/StatusBadge';
import { formatBytes, formatNumber, humanize } from '@/lib/format';
import { useTenantName } from '@/lib/tenants';
import type { Selection } from '@/lib/use-selection';

interface ExportJobsTableProps {
  pages: ListQuery;
  jobs: readonly ExportJob[];
  filtered: boolean;
  emptyHint?: ReactNode;
  showTenant: boolean;
  /** Present when the caller may retry (`exports:retry`): failed rows get a checkbox and a Retry button. */
  selection?: Selection | undefined;
  onRetry?: ((job: ExportJob) => void) | undefined;
  /** Present when the caller may download (`exports:download`). */
  onDownload?: ((job: ExportJob) => void) | undefined;
  downloadingId?: number | undefined;
}

const isFailed = (job: ExportJob) => job.status === 'FAILED';

export function ExportJobsTable({ pages, jobs, filtered, emptyHint, showTenant, selection, onRetry, onDownload, downloadingId }: ExportJobsTableProps) {
  const tenantName = useTenantName();
  const columns: Column<ExportJob>[] = [
    ...(selection ? [selectionColumn({ rows: jobs, selection, selectable: isFailed, allLabel: 'Select every failed job shown', rowLabel: (job) => `Select job #${job.id}` })] : []),
    { header: 'Job', cell: (job) => <Link to={`/exports/${job.id}`}>#{job.id}</Link> },
    { header: 'Dataset', cell: (job) => humanize(job.dataset) },
    { header: 'Tenant', shown: showTenant, cell: (job) => tenantName(job.tenant_id) },
    {
      header: 'Status',
      cell: (job) => (
        <>
          <StatusBadge status={job.status} />
          {isFailed(job) && job.last_error && (
            <span className="table__subtext truncate" title={job.last_error}>
              {job.last_error}
            </span>
          )}
        </>
      ),
    },
    { header: 'Rows', numeric: true, cell: (job) => formatNumber(job.row_count) },
    { header: 'Size', numeric: true, cell: (job) => formatBytes(job.byte_size) },
    { header: 'Created', cell: (job) => <RelativeTime iso={job.created_at} /> },
    // A job waiting for its next attempt keeps the previous one's end time: not "finished".
    { header: 'Finished', cell: (job) => <RelativeTime iso={job.status === 'DONE' || isFailed(job) ? job.finished_at : null} /> },
    {
      header: <span className="visually-hidden">Actions</span>,
      cellClassName: 'table__actions',
      cell: (job) => (
        <>
          {onRetry && isFailed(job) && (
            <Button size="small" onClick={() => onRetry(job)} aria-label={`Retry job #${job.id}`}>
              Retry
            </Button>
          )}
          {onDownload && job.downloadable && (
            <Button size="small" onClick={() => onDownload(job)} busy={downloadingId === job.id} aria-label={`Download job #${job.id}`}>
              Download
            </Button>
          )}
        </>
      ),
    },
  ];
  return (
    <PagedTable
      pages={pages}
      rows={jobs}
      columns={columns}
      noun="export jobs"
      filtered={filtered}
      emptyHint={emptyHint}
      rowClassName={selectedRowClass(selection)}
      interactive
    />
  );
}
