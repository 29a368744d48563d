import { useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/api/client';
import type { Dashboard } from '@/api/types';

/** Progress bars move smoothly while a bulk job runs; queued exports are checked less often. */
const BULK_RUNNING_REFRESH_MS = 3_000;
const EXPORTS_ACTIVE_REFRESH_MS = 15_000;
const IDLE_REFRESH_MS = 60_000;

function refreshInterval(dashboard: Dashboard | undefined): number {
  if (!dashboard) return IDLE_REFRESH_MS;
  if (dashboard.running_bulk_jobs.length > 0) return BULK_RUNNING_REFRESH_MS;
  if (dashboard.active_exports.length > 0) return EXPORTS_ACTIVE_REFRESH_MS;
  return IDLE_REFRESH_MS;
}

export function useDashboard(tenantId: number | undefined) {
  return useQuery({
    queryKey: ['dashboard', { tenantId }],
    queryFn: () => unwrap(api.GET('/api/v1/dashboard', { params: { query: { tenant_id: tenantId } } })),
    refetchInterval: (query) => refreshInterval(query.state.data),
    // Switching tenants keeps the old numbers visible (dimmed) until the new ones arrive.
    placeholderData: (previous) => previous,
  });
}
