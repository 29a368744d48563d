import { useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/api/client';
import type { Dashboard } from '@/api/types';

/** While something is moving (a bulk job, an export), the dashboard follows it closely. */
const BUSY_REFRESH_MS = 5_000;
const IDLE_REFRESH_MS = 60_000;

function somethingIsRunning(dashboard: Dashboard): boolean {
  return dashboard.running_bulk_jobs.length > 0 || dashboard.active_exports.length > 0;
}

export function useDashboard(tenantId: number | undefined) {
  return useQuery({
    queryKey: ['dashboard', { tenantId }],
    queryFn: () => unwrap(api.GET('/api/v1/dashboard', { params: { query: { tenant_id: tenantId } } })),
    refetchInterval: (query) => (query.state.data && somethingIsRunning(query.state.data) ? BUSY_REFRESH_MS : IDLE_REFRESH_MS),
    // Switching tenants keeps the old numbers visible (dimmed) until the new ones arrive.
    placeholderData: (previous) => previous,
  });
}
