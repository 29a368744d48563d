import { describe, expect, it } from 'vitest';

import { createSseParser, type ServerSentEvent } from './sse';

function parseAll(chunks: string[]) {
  const events: ServerSentEvent[] = [];
  const retries: number[] = [];
  const push = createSseParser({ onEvent: (event) => events.push(event), onRetry: (ms) => retries.push(ms) });
  for (const chunk of chunks) push(chunk);
  return { events, retries };
}

describe('the Server-Sent Events parser', () => {
  it('reads the frames the API sends: retry advice, comments, named events with ids', () => {
    const { events, retries } = parseAll([
      'retry: 3000\n: connected\n\n',
      'event: bulk_job.progress\nid: bulk_job-7-1:RUNNING\ndata: {"id":7,"processed":50}\n\n',
      ': keep-alive\n\n',
    ]);
    expect(retries).toEqual([3000]);
    expect(events).toEqual([{ type: 'bulk_job.progress', data: '{"id":7,"processed":50}', lastEventId: 'bulk_job-7-1:RUNNING' }]);
  });

  it('waits for the blank line, however the stream is cut into chunks', () => {
    const frame = 'event: export_job.finished\ndata: {"id":3}\n\n';
    const byCharacter = parseAll(Array.from({ length: frame.length }, (_, index) => frame.charAt(index)));
    expect(byCharacter.events).toEqual([{ type: 'export_job.finished', data: '{"id":3}', lastEventId: '' }]);

    const { events } = parseAll(['event: export_job.fin', 'ished\ndata: {"id"', ':3}\n']);
    expect(events).toEqual([]);
  });

  it('accepts CR LF and lone CR line ends, also when CR LF is split between chunks', () => {
    const { events } = parseAll(['data: one\r', '\n\r', '\ndata: two\r\rdata: three\n\n']);
    expect(events.map((event) => event.data)).toEqual(['one', 'two', 'three']);
  });

  it('joins data lines with newlines and defaults the type to "message"', () => {
    const { events } = parseAll(['data: first\ndata\ndata:  indented\n\n']);
    expect(events).toEqual([{ type: 'message', data: 'first\n\n indented', lastEventId: '' }]);
  });

  it('dispatches nothing for a frame without data, and resets the type after each event', () => {
    const { events } = parseAll(['event: lonely\n\n', 'data: plain\n\n']);
    expect(events).toEqual([{ type: 'message', data: 'plain', lastEventId: '' }]);
  });

  it('keeps the last id across events, ignores unknown fields, bad retries, ids with NUL, and a leading BOM', () => {
    const { events, retries } = parseAll(['\uFEFFid: 1\nfoo: bar\nretry: soon\ndata: a\n\n', 'id: x\u0000y\ndata: b\n\n']);
    expect(events.map((event) => [event.data, event.lastEventId])).toEqual([
      ['a', '1'],
      ['b', '1'],
    ]);
    expect(retries).toEqual([]);
  });
});
