import { describe, expect, it } from 'vitest';

import { getAccessToken } from '@/api/session';
import { eventStream, json, mockApi, problem } from '@/test/api-mock';
import { bulkJob } from '@/test/fixtures';
import { signInForTest } from '@/test/render';

import { getLiveStatus, reconnectDelay, subscribeLiveEvents, type LiveJobEvent } from './live-events';

function listen() {
  const events: LiveJobEvent[] = [];
  let resyncs = 0;
  const unsubscribe = subscribeLiveEvents({ onEvent: (event) => events.push(event), onResync: () => (resyncs += 1) });
  return { events, resyncs: () => resyncs, unsubscribe };
}

describe('the live job events connection', () => {
  it('delivers job events and, after the stream ends, reconnects and asks listeners to re-read', async () => {
    signInForTest();
    const first = eventStream({ retryMs: 5 });
    const second = eventStream({ retryMs: 5 });
    const streams = [first, second];
    const mock = mockApi({ 'GET /api/v1/events': () => streams.shift()?.response ?? problem(500, 'internal', 'no more streams') });
    const listener = listen();

    await vi.waitFor(() => expect(getLiveStatus()).toBe('live'));
    first.send('bulk_job.progress', bulkJob({ processed: 1 }));
    first.send('unknown.event', { id: 1 });
    await vi.waitFor(() => expect(listener.events.map((event) => event.type)).toEqual(['bulk_job.progress']));
    expect(listener.resyncs()).toBe(0);

    first.end();
    await vi.waitFor(() => expect(mock.callsTo('GET', '/api/v1/events')).toHaveLength(2));
    await vi.waitFor(() => expect(listener.resyncs()).toBe(1));
    second.send('bulk_job.finished', bulkJob({ status: 'DONE' }));
    await vi.waitFor(() => expect(listener.events.map((event) => event.type)).toEqual(['bulk_job.progress', 'bulk_job.finished']));

    listener.unsubscribe();
    expect(getLiveStatus()).toBe('idle');
  });

  it('refreshes an expired token once and replays the request with the new one', async () => {
    signInForTest('expired-token');
    const stream = eventStream();
    const mock = mockApi({
      'GET /api/v1/events': (call) => (call.headers.get('authorization') === 'Bearer fresh-token' ? stream.response : problem(401, 'unauthenticated', 'token expired')),
      'POST /api/v1/auth/refresh': () => json({ access_token: 'fresh-token', token_type: 'Bearer', expires_in: 900 }),
    });
    const listener = listen();

    await vi.waitFor(() => expect(getLiveStatus()).toBe('live'));
    expect(getAccessToken()).toBe('fresh-token');
    expect(mock.callsTo('POST', '/api/v1/auth/refresh')).toHaveLength(1);
    expect(mock.callsTo('GET', '/api/v1/events').map((call) => call.headers.get('authorization'))).toEqual(['Bearer expired-token', 'Bearer fresh-token']);
    listener.unsubscribe();
  });

  it('gives up when the caller may not listen', async () => {
    signInForTest();
    const mock = mockApi({ 'GET /api/v1/events': problem(403, 'forbidden', 'neither bulk:read nor exports:read') });
    const listener = listen();

    await vi.waitFor(() => expect(getLiveStatus()).toBe('unavailable'));
    expect(mock.callsTo('GET', '/api/v1/events')).toHaveLength(1);
    listener.unsubscribe();
  });

  it('waits longer after each failure in a row, up to 30 seconds, with jitter below the bound', () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    expect([0, 1, 2, 3, 8].map((failures) => reconnectDelay(3_000, failures))).toEqual([3_000, 3_000, 6_000, 12_000, 30_000]);
    vi.spyOn(Math, 'random').mockReturnValue(0);
    expect(reconnectDelay(3_000, 2)).toBe(3_000);
  });
});
