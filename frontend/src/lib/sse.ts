// A Server-Sent Events parser (the `text/event-stream` format of the HTML standard), fed with
// decoded text as it arrives. EventSource would parse for us, but it cannot send the bearer
// token, so the stream is read with fetch and parsed here.

export interface ServerSentEvent {
  /** The `event:` field; `message` when the server named none. */
  type: string;
  /** The `data:` lines, joined with newlines. */
  data: string;
  /** The last `id:` seen on the stream (it carries over to later events, as the standard says). */
  lastEventId: string;
}

export interface SseHandlers {
  onEvent: (event: ServerSentEvent) => void;
  /** The server's `retry:` advice: how long to wait before reconnecting, in milliseconds. */
  onRetry?: (milliseconds: number) => void;
}

/**
 * Returns a function to call with each chunk of text. Chunks may split lines (and a CR LF pair)
 * anywhere; an event is dispatched at the blank line that ends it, never before.
 */
export function createSseParser({ onEvent, onRetry }: SseHandlers): (chunk: string) => void {
  let buffer = '';
  let firstChunk = true;
  /** The previous chunk ended with CR: an LF starting this one belongs to the same line end. */
  let pendingCarriageReturn = false;
  let type = '';
  let dataLines: string[] = [];
  let lastEventId = '';

  function dispatch() {
    if (dataLines.length > 0) onEvent({ type: type || 'message', data: dataLines.join('\n'), lastEventId });
    type = '';
    dataLines = [];
  }

  function processLine(line: string) {
    if (line === '') return dispatch();
    if (line.startsWith(':')) return; // A comment (keep-alive).
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        type = value;
        break;
      case 'data':
        dataLines.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) onRetry?.(Number(value));
        break;
      default:
        // Unknown fields are ignored.
        break;
    }
  }

  return (chunk) => {
    let text = chunk;
    if (firstChunk && text !== '') {
      firstChunk = false;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    if (pendingCarriageReturn && text.startsWith('\n')) text = text.slice(1);
    pendingCarriageReturn = false;
    buffer += text;
    for (;;) {
      const end = buffer.search(/\r\n|\r|\n/);
      if (end === -1) break;
      // A CR at the very end may be the first half of CR LF: take the line, skip a following LF.
      const isCrLf = buffer.startsWith('\r\n', end);
      if (buffer[end] === '\r' && end === buffer.length - 1) pendingCarriageReturn = true;
      processLine(buffer.slice(0, end));
      buffer = buffer.slice(end + (isCrLf ? 2 : 1));
    }
  };
}
