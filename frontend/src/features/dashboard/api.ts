import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';

import { api, unwrap } from '@/api/client';
import type { BulkJob, Dashboard } from '@/api/types';
import { useLiveJobEvents, type LiveStatus } from '@/lib/live-events';

/** Without the live stream, progress bars move by polling while a bulk job runs; queued exports are checked less often. */
const BULK_RUNNING_REFRESH_MS = 3_000;
const EXPORTS_ACTIVE_REFRESH_MS = 15_000;
const IDLE_REFRESH_MS = 60_000;

const dashboardKey = ['dashboard'] as const;

function refreshInterval(dashboard: Dashboard | undefined, live: boolean): number {
  if (!dashboard) return IDLE_REFRESH_MS;
  if (dashboard.running_bulk_jobs.length > 0 && !live) return BULK_RUNNING_REFRESH_MS;
  if (dashboard.active_exports.length > 0) return EXPORTS_ACTIVE_REFRESH_MS;
  return IDLE_REFRESH_MS;
}

export function useDashboard(tenantId: number | undefined, live: boolean) {
  return useQuery({
    queryKey: [...dashboardKey, { tenantId }],
    queryFn: () => unwrap(api.GET('/api/v1/dashboard', { params: { query: { tenant_id: tenantId } } })),
    refetchInterval: (query) => refreshInterval(query.state.data, live),
    // Switching tenants keeps the old numbers visible (dimmed) until the new ones arrive.
    placeholderData: (previous) => previous,
  });
}

/** The dashboard's running bulk jobs with a job's newest progress. */
function withProgress(dashboard: Dashboard, job: BulkJob): Dashboard {
  return {
    ...dashboard,
    running_bulk_jobs: dashboard.running_bulk_jobs.map((running) =>
      running.id === job.id
        ? { ...running, status: job.status, total: job.total, processed: job.processed, succeeded: job.succeeded, failed: job.failed, percent: job.percent }
        : running,
    ),
  };
}

/**
 * Moves the running bulk jobs' progress bars as events arrive. A finished job or export changes
 * other widgets too, and a job that started since the dashboard was read is not on it yet:
 * then the dashboard is read again (once per new job, and not while a read is under way).
 */
export function useLiveDashboard(): LiveStatus {
  const queryClient = useQueryClient();
  const jobsReloadedFor = useRef(new Set<number>());
  const reload = () => {
    if (queryClient.isFetching({ queryKey: dashboardKey }) === 0) void queryClient.invalidateQueries({ queryKey: dashboardKey });
  };
  return useLiveJobEvents((event) => {
    if (event.type === 'export_job.finished' || event.type === 'bulk_job.finished') return reload();
    if (event.type !== 'bulk_job.progress') return;
    const shown = queryClient.getQueriesData<Dashboard>({ queryKey: dashboardKey }).some(([, data]) => data?.running_bulk_jobs.some((running) => running.id === event.job.id));
    if (shown) {
      queryClient.setQueriesData<Dashboard>({ queryKey: dashboardKey }, (data) => data && withProgress(data, event.job));
    } else if (!jobsReloadedFor.current.has(event.job.id)) {
      jobsReloadedFor.current.add(event.job.id);
      reload();
    }
  }, reload);
}
