// Live job events from `GET /api/v1/events` (Server-Sent Events). The stream is read with the
// API client (bearer token, refresh-and-replay on 401) instead of EventSource, which cannot
// send the token. One connection serves every subscriber of the tab; it opens with the first
// and closes with the last, and comes back with a growing delay when it is lost.
import { useEffect, useRef, useSyncExternalStore } from 'react';

import { api } from '@/api/client';
import type { BulkJob, ExportJob } from '@/api/types';

import { createSseParser, type ServerSentEvent } from './sse';

export type LiveJobEvent =
  | { type: 'bulk_job.progress' | 'bulk_job.finished'; job: BulkJob }
  | { type: 'export_job.progress' | 'export_job.finished'; job: ExportJob };

/**
 * `idle`: nobody listens. `connecting`, then `live`. `reconnecting`: the stream was lost and
 * comes back after a delay. `unavailable`: refused (signed out, or no job permission).
 */
export type LiveStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'unavailable';

export interface LiveListener {
  onEvent: (event: LiveJobEvent) => void;
  /** Called after a reconnection: changes made while disconnected are not replayed, so re-read. */
  onResync?: () => void;
}

/** The server's own advice (`retry:`) replaces it once connected. */
const DEFAULT_RETRY_MS = 3_000;
const MAX_RETRY_MS = 30_000;

const listeners = new Set<LiveListener>();
const statusListeners = new Set<() => void>();
let status: LiveStatus = 'idle';
let connection: AbortController | null = null;

function setStatus(next: LiveStatus): void {
  if (status === next) return;
  status = next;
  for (const listener of statusListeners) listener();
}

/** How long to wait before the next attempt: the server's advice, doubled per failure in a row, with jitter. */
export function reconnectDelay(retryMs: number, failuresInARow: number): number {
  const backoff = Math.min(MAX_RETRY_MS, retryMs * 2 ** Math.max(0, failuresInARow - 1));
  return backoff / 2 + Math.random() * (backoff / 2);
}

function toJobEvent(event: ServerSentEvent): LiveJobEvent | null {
  try {
    switch (event.type) {
      case 'bulk_job.progress':
      case 'bulk_job.finished':
        return { type: event.type, job: JSON.parse(event.data) as BulkJob };
      case 'export_job.progress':
      case 'export_job.finished':
        return { type: event.type, job: JSON.parse(event.data) as ExportJob };
      default:
        return null;
    }
  } catch {
    // A malformed frame is skipped; the next one carries the job's full state again.
    return null;
  }
}

function deliver(event: ServerSentEvent): void {
  const jobEvent = toJobEvent(event);
  if (!jobEvent) return;
  for (const listener of listeners) listener.onEvent(jobEvent);
}

function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Reads the stream to its end (or until aborted), delivering each event as it completes. */
async function readEvents(stream: ReadableStream<Uint8Array>, onRetry: (milliseconds: number) => void): Promise<void> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const parse = createSseParser({ onEvent: deliver, onRetry });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parse(decoder.decode(value, { stream: true }));
    }
    parse(decoder.decode());
  } finally {
    reader.releaseLock();
  }
}

async function run(signal: AbortSignal): Promise<void> {
  // Read through a function: the signal changes while this awaits, which narrowing cannot see.
  const stopped = () => signal.aborted;
  let retryMs = DEFAULT_RETRY_MS;
  let failuresInARow = 0;
  let connectedBefore = false;
  while (!stopped()) {
    setStatus(connectedBefore || failuresInARow > 0 ? 'reconnecting' : 'connecting');
    try {
      // The session middleware adds the token and, on a 401, refreshes it once and replays.
      const { data, response } = await api.GET('/api/v1/events', { parseAs: 'stream', signal });
      if (response.status === 401 || response.status === 403) {
        setStatus('unavailable');
        return;
      }
      if (!response.ok || !data) throw new Error(`the event stream answered ${response.status}`);
      setStatus('live');
      failuresInARow = 0;
      if (connectedBefore) for (const listener of listeners) listener.onResync?.();
      connectedBefore = true;
      await readEvents(data, (milliseconds) => (retryMs = milliseconds));
      // A stream that ends (the token it started with expired) is picked up again at once-ish.
    } catch {
      failuresInARow += 1;
    }
    if (stopped()) return;
    setStatus('reconnecting');
    await sleep(reconnectDelay(retryMs, failuresInARow), signal);
  }
}

/** Listens to job events; the first listener opens the connection, the last one closes it. */
export function subscribeLiveEvents(listener: LiveListener): () => void {
  listeners.add(listener);
  if (!connection) {
    const controller = new AbortController();
    connection = controller;
    void run(controller.signal);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && connection) {
      connection.abort();
      connection = null;
      setStatus('idle');
    }
  };
}

function subscribeStatus(listener: () => void): () => void {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

export function getLiveStatus(): LiveStatus {
  return status;
}

/**
 * Calls `onEvent` for every job event while the component is mounted, `onResync` after a
 * reconnection; returns the connection's status (e.g. to poll while it is not live).
 */
export function useLiveJobEvents(onEvent: (event: LiveJobEvent) => void, onResync?: () => void): LiveStatus {
  const latest = useRef({ onEvent, onResync });
  useEffect(() => {
    latest.current = { onEvent, onResync };
  });
  useEffect(
    () =>
      subscribeLiveEvents({
        onEvent: (event) => latest.current.onEvent(event),
        onResync: () => latest.current.onResync?.(),
      }),
    [],
  );
  return useSyncExternalStore(subscribeStatus, getLiveStatus);
}
