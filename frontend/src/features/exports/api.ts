import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '@/api/client';
import { apiErrorFrom } from '@/api/problem';
import type { CreateExport, ExportDataset, ExportJob, ExportJobStatus, RetryResult } from '@/api/types';
import { filenameFromDisposition, saveBlob } from '@/lib/download';
import type { LiveStatus } from '@/lib/live-events';
import { detailRefresh, jobQueryKeys, listRefresh, useLiveJobQueries } from '@/lib/live-job-queries';

export const EXPORT_STATUSES: ExportJobStatus[] = ['PENDING', 'RUNNING', 'DONE', 'FAILED'];
export const EXPORT_DATASETS: ExportDataset[] = ['orders', 'products', 'customers', 'audit_log'];

export interface ExportFilters {
  status?: ExportJobStatus | undefined;
  dataset?: ExportDataset | undefined;
  tenantId?: number | undefined;
}

const PAGE_SIZE = 50;

const exportJobKeys = jobQueryKeys('export-jobs');

export function useExportJobs(filters: ExportFilters, live: boolean) {
  return useInfiniteQuery({
    queryKey: [...exportJobKeys.list, filters],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/export-jobs', {
          params: {
            query: {
              limit: PAGE_SIZE,
              cursor: pageParam,
              status: filters.status,
              dataset: filters.dataset,
              tenant_id: filters.tenantId,
            },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    refetchInterval: listRefresh(live),
  });
}

export function useExportJob(id: number, live: boolean) {
  return useQuery({
    queryKey: exportJobKeys.detail(id),
    queryFn: () => unwrap(api.GET('/api/v1/export-jobs/{id}', { params: { path: { id } } })),
    enabled: Number.isInteger(id) && id > 0,
    refetchInterval: detailRefresh(live),
  });
}

/** Keeps export job queries current from the live event stream; a reconnection re-reads them. */
export function useLiveExportJobs(): LiveStatus {
  return useLiveJobQueries('export_job', exportJobKeys);
}

/** After a change, every list, detail and the dashboard show the new state. */
function useRefreshExports() {
  const queryClient = useQueryClient();
  return async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: exportJobKeys.all }),
      queryClient.invalidateQueries({ queryKey: ['dashboard'] }),
    ]);
  };
}

export function useCreateExport() {
  const refresh = useRefreshExports();
  return useMutation({
    mutationFn: (request: CreateExport) => unwrap(api.POST('/api/v1/export-jobs', { body: request })),
    onSuccess: refresh,
  });
}

/** Retries failed jobs: one through its own endpoint, several in one call (each retried or skipped with a reason). */
export function useRetryExports() {
  const refresh = useRefreshExports();
  return useMutation({
    mutationFn: async (ids: number[]): Promise<RetryResult> => {
      const [onlyId] = ids;
      if (ids.length === 1 && onlyId !== undefined) {
        const job = await unwrap(api.POST('/api/v1/export-jobs/{id}/retry', { params: { path: { id: onlyId } } }));
        return { retried: [job], skipped: [] };
      }
      return unwrap(api.POST('/api/v1/export-jobs/retry', { body: { ids } }));
    },
    onSettled: refresh,
  });
}

/** Fetches the file with the bearer token (a plain link cannot send it) and saves it. */
export async function downloadExport(job: Pick<ExportJob, 'id' | 'dataset'>): Promise<void> {
  const { data, error, response } = await api.GET('/api/v1/export-jobs/{id}/download', {
    params: { path: { id: job.id } },
    parseAs: 'blob',
  });
  if (error !== undefined || !response.ok) throw apiErrorFrom(response, error);
  const filename = filenameFromDisposition(response.headers.get('content-disposition')) ?? `export-${job.id}-${job.dataset}.csv`;
  saveBlob(data, filename);
}

export function useDownloadExport() {
  return useMutation({ mutationFn: downloadExport });
}
