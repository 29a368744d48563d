import { vi } from 'vitest';

import type { Problem } from '@/api/types';

/** A request the app sent, as the mock saw it. */
export interface SentCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Reply = Response | Promise<Response>;
type Handler = (call: SentCall, params: Record<string, string>) => Reply;

/** Route pattern (`'GET /api/v1/export-jobs/:id'`) -> handler, Response or JSON body. */
export type MockRoutes = Record<string, Handler | object>;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function problem(status: number, code: string, detail: string): Response {
  const body: Problem = { type: `urn:opsdeck:problem:${code}`, title: code.replace(/_/g, ' '), status, detail, code, request_id: 'req-test-0001' };
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } });
}

function compile(pattern: string): { method: string; regex: RegExp; names: string[] } {
  const [method = 'GET', path = '/'] = pattern.split(' ');
  const names: string[] = [];
  const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { method, regex: new RegExp(`^${source}$`), names };
}

/**
 * Stubs `fetch` with a route table: `'GET /api/v1/export-jobs/:id': (call, { id }) => json(...)`.
 * A Response is answered as is; any other value that is not a function as JSON. A request no route matches fails the
 * test loudly (501), so every call a screen makes is one the test knows about.
 */
export function mockApi(routes: MockRoutes) {
  const table = Object.entries(routes).map(([pattern, handler]) => ({ ...compile(pattern), handler }));
  const calls: SentCall[] = [];

  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = await request.clone().text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const call: SentCall = { method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, body };
    calls.push(call);
    for (const route of table) {
      const match = route.method === request.method ? route.regex.exec(url.pathname) : null;
      if (!match) continue;
      const params = Object.fromEntries(route.names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]));
      if (typeof route.handler === 'function') return (route.handler as Handler)(call, params);
      // A fixed Response may be asked for more than once: each caller gets an unread copy.
      if (route.handler instanceof Response) return route.handler.clone();
      return json(route.handler);
    }
    return problem(501, 'unmocked', `no mock for ${request.method} ${url.pathname}`);
  });

  vi.stubGlobal('fetch', fetchMock);
  return {
    calls,
    /** The calls to one method and path, e.g. `callsTo('POST', '/api/v1/export-jobs/retry')`. */
    callsTo: (method: string, path: string) => calls.filter((call) => call.method === method && call.path === path),
  };
}

/**
 * An open `text/event-stream` answer (`GET /api/v1/events`): the test sends frames into it while
 * the screen reads it, as the server would, and may end it (as the server does when the token
 * it started with expires). `retryMs` is the reconnection advice the server sends first.
 */
export function eventStream({ retryMs = 3000 }: { retryMs?: number } = {}) {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      streamController.enqueue(encoder.encode(`retry: ${retryMs}\n: connected\n\n`));
    },
  });
  return {
    response: new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    send(event: string, data: unknown) {
      controller?.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
    },
    end() {
      controller?.close();
    },
  };
}
