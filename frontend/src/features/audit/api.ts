import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/api/client';
import { apiErrorFrom } from '@/api/problem';
import type { ActorType } from '@/api/types';
import { saveBlob } from '@/lib/download';

export const ACTOR_TYPES: ActorType[] = ['user', 'token', 'system', 'anonymous'];

/** The audit log's filters, named as the API names its query parameters. */
export interface AuditFilters {
  actor_type?: ActorType | undefined;
  actor_label?: string | undefined;
  action_prefix?: string | undefined;
  target_type?: string | undefined;
  target_id?: string | undefined;
  occurred_from?: string | undefined;
  occurred_to?: string | undefined;
  tenant_id?: number | undefined;
}

const PAGE_SIZE = 100;

export const auditLogKey = ['audit-logs'] as const;

export function useAuditLog(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: [...auditLogKey, filters],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/audit-logs', { params: { query: { ...filters, limit: PAGE_SIZE, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    // New entries arrive at the top all the time; the log is read as a snapshot, not re-polled.
    staleTime: 60_000,
    refetchOnWindowFocus: false,
  });
}

/** One entry. Entries never change, so once loaded it stays fresh. */
export function useAuditEntry(id: number) {
  return useQuery({
    queryKey: [...auditLogKey, 'entry', id],
    queryFn: () => unwrap(api.GET('/api/v1/audit-logs/{id}', { params: { path: { id } } })),
    enabled: Number.isInteger(id) && id > 0,
    staleTime: Infinity,
  });
}

/** The whole filtered log as CSV, streamed by the server, saved as a file. */
export async function exportAuditCsv(filters: AuditFilters): Promise<void> {
  const { data, error, response } = await api.GET('/api/v1/audit-logs/export', {
    params: { query: filters },
    parseAs: 'blob',
  });
  if (error !== undefined || !response.ok) throw apiErrorFrom(response, error);
  saveBlob(data, `audit-log-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`);
}

export function useExportAuditCsv() {
  return useMutation({ mutationFn: exportAuditCsv });
}
