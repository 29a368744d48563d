import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '@/api/client';
import type { BulkJob, BulkJobRequest, BulkJobStatus } from '@/api/types';
import type { LiveStatus } from '@/lib/live-events';
import { detailRefresh, jobQueryKeys, listRefresh, useLiveJobQueries } from '@/lib/live-job-queries';

export const BULK_JOB_STATUSES: BulkJobStatus[] = ['PENDING', 'RUNNING', 'DONE', 'FAILED', 'CANCELLED'];

const PAGE_SIZE = 50;

export interface BulkJobFilters {
  status?: BulkJobStatus | undefined;
  action?: string | undefined;
  tenantId?: number | undefined;
}

const bulkJobKeys = jobQueryKeys('bulk-jobs');

export function useBulkJobs(filters: BulkJobFilters, live: boolean) {
  return useInfiniteQuery({
    queryKey: [...bulkJobKeys.list, filters],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/bulk-jobs', {
          params: { query: { status: filters.status, action: filters.action, tenant_id: filters.tenantId, limit: PAGE_SIZE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    refetchInterval: listRefresh(live),
  });
}

export function useBulkJob(id: number, live: boolean) {
  return useQuery({
    queryKey: bulkJobKeys.detail(id),
    queryFn: () => unwrap(api.GET('/api/v1/bulk-jobs/{id}', { params: { path: { id } } })),
    enabled: Number.isInteger(id) && id > 0,
    refetchInterval: detailRefresh(live),
  });
}

/** The failure report; read again whenever the job's failed count grows. */
export function useBulkJobFailures(id: number, failedCount: number) {
  return useInfiniteQuery({
    queryKey: [...bulkJobKeys.detail(id), 'failures', failedCount],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/bulk-jobs/{id}/failures', { params: { path: { id }, query: { limit: PAGE_SIZE, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    enabled: failedCount > 0,
  });
}

/** Keeps bulk job queries current from the live event stream; a reconnection re-reads them. */
export function useLiveBulkJobs(): LiveStatus {
  return useLiveJobQueries('bulk_job', bulkJobKeys);
}

/** After a job starts or changes: lists, its detail and the dashboard's running jobs show it. */
function useRefreshBulkJobs() {
  const queryClient = useQueryClient();
  return (job: BulkJob) => {
    queryClient.setQueryData(bulkJobKeys.detail(job.id), job);
    void queryClient.invalidateQueries({ queryKey: bulkJobKeys.list });
    void queryClient.invalidateQueries({ queryKey: ['dashboard'] });
  };
}

export function usePreviewBulkJob() {
  return useMutation({
    mutationFn: (request: BulkJobRequest) => unwrap(api.POST('/api/v1/bulk-jobs/preview', { body: request })),
  });
}

export function useStartBulkJob() {
  const refresh = useRefreshBulkJobs();
  return useMutation({
    mutationFn: ({ request, confirmationToken }: { request: BulkJobRequest; confirmationToken: string }) =>
      unwrap(api.POST('/api/v1/bulk-jobs', { body: { ...request, confirmation_token: confirmationToken } })),
    onSuccess: refresh,
  });
}

export function useCancelBulkJob(id: number) {
  const refresh = useRefreshBulkJobs();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/bulk-jobs/{id}/cancel', { params: { path: { id } } })),
    onSuccess: refresh,
  });
}

export function useRetryFailedRows(id: number) {
  const refresh = useRefreshBulkJobs();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/bulk-jobs/{id}/retry-failed', { params: { path: { id } } })),
    onSuccess: refresh,
  });
}
