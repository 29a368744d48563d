import { useInfiniteQuery, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/api/client';
import type { WebhookEventStatus } from '@/api/types';

export const WEBHOOK_STATUSES: WebhookEventStatus[] = ['PENDING', 'RUNNING', 'PROCESSED', 'IGNORED', 'FAILED'];

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
