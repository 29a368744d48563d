import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';

import { api, unwrap } from '@/api/client';
import type { BulkJob, BulkJobRequest, BulkJobStatus } from '@/api/types';
import { useLiveJobEvents, type LiveStatus } from '@/lib/live-events';

export const BULK_JOB_STATUSES: BulkJobStatus[] = ['PENDING', 'RUNNING', 'DONE', 'FAILED', 'CANCELLED'];

const PAGE_SIZE = 50;
/** Without the live stream, moving jobs are polled this often. */
const FALLBACK_REFRESH_MS = 2_000;

export function isMoving(job: Pick<BulkJob, 'status'>): boolean {
  return job.status === 'PENDING' || job.status === 'RUNNING';
}

export interface BulkJobFilters {
  status?: BulkJobStatus | undefined;
  action?: string | undefined;
  tenantId?: number | undefined;
}

const bulkJobsKey = ['bulk-jobs'] as const;
const bulkJobListKey = [...bulkJobsKey, 'list'] as const;
const bulkJobKey = (id: number) => [...bulkJobsKey, 'detail', id] as const;

interface BulkJobPage {
  items: BulkJob[];
  next_cursor?: string | null;
}

export function useBulkJobs(filters: BulkJobFilters, live: boolean) {
  return useInfiniteQuery({
    queryKey: [...bulkJobListKey, filters],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/bulk-jobs', {
          params: { query: { status: filters.status, action: filters.action, tenant_id: filters.tenantId, limit: PAGE_SIZE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    refetchInterval: (query) => (!live && query.state.data?.pages.some((page) => page.items.some(isMoving)) ? FALLBACK_REFRESH_MS : false),
  });
}

export function useBulkJob(id: number, live: boolean) {
  return useQuery({
    queryKey: bulkJobKey(id),
    queryFn: () => unwrap(api.GET('/api/v1/bulk-jobs/{id}', { params: { path: { id } } })),
    enabled: Number.isInteger(id) && id > 0,
    refetchInterval: (query) => (!live && query.state.data && isMoving(query.state.data) ? FALLBACK_REFRESH_MS : false),
  });
}

/** The failure report; read again whenever the job's failed count grows. */
export function useBulkJobFailures(id: number, failedCount: number) {
  return useInfiniteQuery({
    queryKey: [...bulkJobKey(id), 'failures', failedCount],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/bulk-jobs/{id}/failures', { params: { path: { id }, query: { limit: PAGE_SIZE, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    enabled: failedCount > 0,
  });
}

/**
 * Keeps bulk job queries current from the live event stream: a job's detail and its row in
 * every loaded list take each event as it comes; a finished job or a reconnection re-reads lists.
 */
export function useLiveBulkJobs(): LiveStatus {
  const queryClient = useQueryClient();
  return useLiveJobEvents(
    (event) => {
      if (event.type !== 'bulk_job.progress' && event.type !== 'bulk_job.finished') return;
      const job = event.job;
      queryClient.setQueryData(bulkJobKey(job.id), job);
      queryClient.setQueriesData<InfiniteData<BulkJobPage>>({ queryKey: bulkJobListKey }, (data) =>
        data && {
          ...data,
          pages: data.pages.map((page) => ({ ...page, items: page.items.map((item) => (item.id === job.id ? job : item)) })),
        },
      );
      // A finished job may leave a filtered list (or join one): lists are read again.
      if (event.type === 'bulk_job.finished') void queryClient.invalidateQueries({ queryKey: bulkJobListKey });
    },
    () => void queryClient.invalidateQueries({ queryKey: bulkJobsKey }),
  );
}

/** After a job starts or changes: lists, its detail and the dashboard's running jobs show it. */
function useRefreshBulkJobs() {
  const queryClient = useQueryClient();
  return (job: BulkJob) => {
    queryClient.setQueryData(bulkJobKey(job.id), job);
    void queryClient.invalidateQueries({ queryKey: bulkJobListKey });
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
