import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';

import type { ExportJob } from '@/api/types';
import { Button } from '@/components/Button';
import { Notice } from '@/components/Notice';
import { PageHeader } from '@/components/Panel';
import { InlineError } from '@/components/states';
import { useTenantParam } from '@/lib/tenant-scope';
import { useSelection } from '@/lib/use-selection';
import { isStaff, useCan, useMe } from '@/lib/use-session';

import { useDownloadExport, useExportJobs, useLiveExportJobs } from '@/features/exports/api';
import { CreateExportDialog } from '@/features/exports/CreateExportDialog';
import { ExportFiltersBar, parseDataset, parseStatus } from '@/features/exports/ExportFiltersBar';
import { ExportJobsTable } from '@/features/exports/ExportJobsTable';
import { RetryExportsDialog } from '@/features/exports/RetryExportsDialog';

export function ExportJobsPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const status = parseStatus(searchParams.get('status'));
  const dataset = parseDataset(searchParams.get('dataset'));
  const tenantId = useTenantParam();
  const { data: me } = useMe();
  const can = useCan();
  const staff = me !== undefined && isStaff(me);

  const live = useLiveExportJobs();
  const jobsQuery = useExportJobs({ status, dataset, tenantId }, live === 'live');
  const jobs = useMemo(() => jobsQuery.data?.pages.flatMap((page) => page.items) ?? [], [jobsQuery.data]);
  const download = useDownloadExport();

  const rowSelection = useSelection();
  const [retryTargets, setRetryTargets] = useState<ExportJob[] | null>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  // Only failed jobs still on screen count; a selection never silently includes anything else.
  const selectedJobs = jobs.filter((job) => job.status === 'FAILED' && rowSelection.selected.has(job.id));
  const canRetry = can('exports:retry');
  const selection = canRetry ? rowSelection : undefined;

  function changeFilters(next: { status: string | undefined; dataset: string | undefined }) {
    const params = new URLSearchParams();
    if (next.status) params.set('status', next.status);
    if (next.dataset) params.set('dataset', next.dataset);
    setSearchParams(params, { replace: true });
    rowSelection.clear();
  }

  return (
    <>
      <PageHeader
        title="Export jobs"
        description="CSV exports run in the background; finished files stay downloadable until they expire."
        actions={
          <>
            {canRetry && (
              <Button disabled={selectedJobs.length === 0} onClick={() => setRetryTargets(selectedJobs)}>
                Retry selected{selectedJobs.length > 0 ? ` (${selectedJobs.length})` : ''}
              </Button>
            )}
            {can('exports:create') && (
              <Button variant="primary" onClick={() => setCreating(true)}>
                New export
              </Button>
            )}
          </>
        }
      />
      {notice && (
        <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>
      )}
      {download.error && <InlineError error={download.error} />}
      <ExportFiltersBar status={status} dataset={dataset} onChange={changeFilters} />

      <ExportJobsTable
        pages={jobsQuery}
        jobs={jobs}
        filtered={status !== undefined || dataset !== undefined}
        emptyHint={can('exports:create') && 'Start one with “New export”.'}
        showTenant={staff && tenantId === undefined}
        selection={selection}
        onRetry={canRetry ? (job) => setRetryTargets([job]) : undefined}
        onDownload={can('exports:download') ? (job) => download.mutate(job) : undefined}
        downloadingId={download.isPending ? download.variables.id : undefined}
      />

      {retryTargets && (
        <RetryExportsDialog
          jobs={retryTargets}
          showTenant={staff}
          onClose={() => setRetryTargets(null)}
          onRetried={(result) => {
            rowSelection.clear();
            setNotice(`${result.retried.length} of ${retryTargets.length} selected jobs queued again.`);
          }}
        />
      )}
      {creating && (
        <CreateExportDialog
          staff={staff}
          defaultTenantId={tenantId}
          canExportAuditLog={can('audit:export')}
          onClose={() => setCreating(false)}
          onCreated={(job) => {
            setCreating(false);
            setNotice(`Export #${job.id} is queued; it appears below and updates by itself.`);
          }}
        />
      )}
    </>
  );
}
