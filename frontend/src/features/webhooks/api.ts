import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '@/api/client';
import type { ReprocessResult, WebhookEvent, WebhookEventStatus } from '@/api/types';

export const WEBHOOK_STATUSES: WebhookEventStatus[] = ['PENDING', 'RUNNING', 'PROCESSED', 'IGNORED', 'FAILED'];

/** Only events that reached an end are processed again; PENDING and RUNNING ones are on their way. */
export function isFinished(event: Pick<WebhookEvent, 'status'>): boolean {
  return event.status === 'PROCESSED' || event.status === 'IGNORED' || event.status === 'FAILED';
}

export interface WebhookFilters {
  status?: WebhookEventStatus | undefined;
  provider?: string | undefined;
  type?: string | undefined;
  tenant_id?: number | undefined;
}

const webhookEventsKey = ['webhook-events'] as const;

export function useWebhookEvents(filters: WebhookFilters) {
  return useInfiniteQuery({
    queryKey: [...webhookEventsKey, 'list', filters],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/webhook-events', { params: { query: { ...filters, limit: 50, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export function useWebhookEvent(id: number) {
  return useQuery({
    queryKey: [...webhookEventsKey, 'detail', id],
    queryFn: () => unwrap(api.GET('/api/v1/webhook-events/{id}', { params: { path: { id } } })),
    enabled: Number.isInteger(id) && id > 0,
    refetchInterval: (query) => (query.state.data?.status === 'PENDING' || query.state.data?.status === 'RUNNING' ? 3_000 : false),
  });
}

/**
 * Processes finished events again: one through its own endpoint, several in one call (each
 * enqueued or skipped with a reason). Either way the answer is what was enqueued and skipped.
 */
export function useReprocessWebhookEvents() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (ids: number[]): Promise<ReprocessResult> => {
      const [onlyId] = ids;
      if (ids.length === 1 && onlyId !== undefined) {
        const event = await unwrap(api.POST('/api/v1/webhook-events/{id}/reprocess', { params: { path: { id: onlyId } } }));
        return { enqueued: [event.id], skipped: [], truncated: false };
      }
      return unwrap(api.POST('/api/v1/webhook-events/reprocess', { body: { ids } }));
    },
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: webhookEventsKey }),
        queryClient.invalidateQueries({ queryKey: ['dashboard'] }),
      ]),
  });
}
