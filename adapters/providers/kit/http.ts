/**
 * One streaming HTTP POST over `fetch` and its Server-Sent Events: a non-2xx answer becomes an
 * `http_status` adapter error carrying the status and `Retry-After`, a 2xx that is not an event
 * stream a `malformed_output` one; the events are parsed with `eventsource-parser`.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { AdapterError } from '../../../contracts/index.ts';
import { retryAfterMs } from '../../../contracts/internal.ts';

/** One POST of a JSON body that answers with an event stream. */
export interface SsePost {
  /** `provider_id` for errors. */
  readonly provider: string;
  /** Full URL. */
  readonly url: URL;
  /** Headers besides `content-type` and `accept`. */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body. */
  readonly body: unknown;
  /** Aborting it closes the connection. */
  readonly signal: AbortSignal;
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch;
  /**
   * Refines a non-2xx answer from its parsed JSON error body (e.g. a 400 that documents a bad
   * key); null keeps the status row. Only stable ids may be taken from the body, never text.
   */
  readonly refine?: (status: number, body: unknown) => AdapterError | null;
}

/** Longest error body read (then dropped): enough to let the connection be reused. */
const ERROR_BODY_LIMIT = 16 * 1024;

/** POSTs and returns the response body once the status and content type are those of a stream. */
export async function postForEvents(post: SsePost): Promise<ReadableStream<Uint8Array>> {
  const response = await (post.fetch ?? fetch)(post.url, {
    method: 'POST',
    headers: { ...post.headers, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(post.body),
    signal: post.signal,
  });
  if (!response.ok) {
    // The body may echo the request: it is never kept, only looked at by `refine`.
    const text = await readLimited(response.body);
    const refined = post.refine?.(response.status, safeJson(text)) ?? null;
    if (refined !== null) throw refined;
    const retryAfter = response.headers.get('retry-after');
    throw new AdapterError('http_status', {
      provider: post.provider,
      status: response.status,
      ...(retryAfter === null ? {} : { retry_after_ms: retryAfterMs(retryAfter) }),
    });
  }
  const type = response.headers.get('content-type') ?? '';
  if (response.body === null || !type.toLowerCase().includes('text/event-stream')) {
    await response.body?.cancel().catch(() => undefined);
    throw new AdapterError('malformed_output', {
      provider: post.provider,
      detail: 'not_event_stream',
    });
  }
  return response.body;
}

/** The start of an error body as text (at most {@link ERROR_BODY_LIMIT} bytes). */
export async function readLimited(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (body === null) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let read = 0;
  try {
    while (read < ERROR_BODY_LIMIT) {
      const step = await reader.read();
      if (step.done) return text + decoder.decode();
      read += step.value.byteLength;
      text += decoder.decode(step.value, { stream: true });
    }
    await reader.cancel();
  } catch {
    // A broken error body changes nothing: the status already decided the outcome.
  } finally {
    reader.releaseLock();
  }
  return text;
}

/** Parses JSON text, or undefined when it is not JSON. */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** One parsed event: `event` is null when the stream named none. */
export interface SseEvent {
  /** The `event:` field, or null. */
  readonly event: string | null;
  /** The `data:` lines joined by newlines. */
  readonly data: string;
}

/**
 * The events of an SSE body in order; cancelling the iteration cancels the body. A body that
 * breaks off rejects with the transport's error (undici `terminated`, cause `UND_ERR_SOCKET`).
 */
export async function* sseEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<SseEvent, void, undefined> {
  const queue: SseEvent[] = [];
  const parser = createParser({
    onEvent: (message: EventSourceMessage) =>
      void queue.push({ event: message.event ?? null, data: message.data }),
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      const step = await reader.read();
      if (step.done) {
        parser.feed(decoder.decode());
        done = true;
      } else {
        parser.feed(decoder.decode(step.value, { stream: true }));
      }
      yield* queue.splice(0);
      if (done) return;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Parses an event's JSON data, or fails the attempt as `malformed_output` / `invalid_json`. */
export function parseEventJson(provider: string, data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    // No cause: a JSON parse error quotes the data, which may be the model's reply.
    throw new AdapterError('malformed_output', { provider, detail: 'invalid_json' });
  }
}
