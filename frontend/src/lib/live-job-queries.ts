// Queries of jobs that move (export and bulk jobs) kept current one way: from the live event
// stream while it is connected, by polling the moving ones while it is not.
import { useQueryClient, type InfiniteData } from '@tanstack/react-query';

import type { BulkJobStatus, ExportJobStatus } from '@/api/types';

import { useLiveJobEvents, type LiveJobEvent, type LiveStatus } from './live-events';

/** Without the live stream, jobs still moving are polled this often, so a list or detail shows them finish. */
const FALLBACK_REFRESH_MS = 2_000;

type JobKind = 'export_job' | 'bulk_job';
type MovingJob = { status: ExportJobStatus | BulkJobStatus };

export function isMoving(job: MovingJob): boolean {
  return job.status === 'PENDING' || job.status === 'RUNNING';
}

/** The query keys of one kind of job: `all` covers `list` (every filter) and each `detail`. */
export function jobQueryKeys(root: string) {
  const all = [root] as const;
  return {
    all,
    list: [...all, 'list'] as const,
    detail: (id: number) => [...all, 'detail', id] as const,
  };
}

export type JobQueryKeys = ReturnType<typeof jobQueryKeys>;

interface JobPage<J> {
  items: J[];
  next_cursor?: string | null;
}

/** `refetchInterval` of a job list: polls while the stream is down and a loaded job still moves. */
export function listRefresh(live: boolean) {
  return (query: { state: { data?: { pages: readonly { items: readonly MovingJob[] }[] } | undefined } }) =>
    !live && query.state.data?.pages.some((page) => page.items.some(isMoving)) ? FALLBACK_REFRESH_MS : false;
}

/** `refetchInterval` of one job: polls while the stream is down and the job still moves. */
export function detailRefresh(live: boolean) {
  return (query: { state: { data?: MovingJob | undefined } }) => (!live && query.state.data && isMoving(query.state.data) ? FALLBACK_REFRESH_MS : false);
}

/**
 * Keeps the queries of one kind of job current from the live event stream: a job's detail and
 * its row in every loaded list take each event as it comes; a finished job may leave a filtered
 * list (or join one), so it and a reconnection re-read the lists.
 */
export function useLiveJobQueries(kind: JobKind, keys: JobQueryKeys): LiveStatus {
  const queryClient = useQueryClient();
  return useLiveJobEvents(
    (event) => {
      if (event.type !== `${kind}.progress` && event.type !== `${kind}.finished`) return;
      const job = event.job;
      queryClient.setQueryData(keys.detail(job.id), job);
      queryClient.setQueriesData<InfiniteData<JobPage<LiveJobEvent['job']>>>({ queryKey: keys.list }, (data) =>
        data && {
          ...data,
          pages: data.pages.map((page) => ({ ...page, items: page.items.map((item) => (item.id === job.id ? job : item)) })),
        },
      );
      if (event.type === `${kind}.finished`) void queryClient.invalidateQueries({ queryKey: keys.list });
    },
    () => void queryClient.invalidateQueries({ queryKey: keys.all }),
  );
}
