/**
 * One WebSocket connection to a streaming provider over `ws` (ADR 0041): the handshake's refusal
 * becomes an `http_status` adapter error with the status and `Retry-After` (the body is read,
 * shown to `refine`, then dropped), the server's messages arrive in order through `next()`, and
 * an abort destroys the socket at once (no closing handshake to wait for).
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { AdapterError, toAdapterError } from '../../../contracts/index.ts';
import { retryAfterMs } from '../../../contracts/internal.ts';

/** How the server ended the connection. */
export interface WsClosing {
  /** The close code (1005 when none was sent, 1006 when the connection dropped). */
  readonly code: number;
  /** The close reason (provider text: look at stable ids only, never keep it). */
  readonly reason: string;
}

/** What the connection delivers next. */
export type WsEvent =
  | { readonly kind: 'text'; readonly data: string }
  | { readonly kind: 'close'; readonly closing: WsClosing };

/** An open connection. */
export interface WsConnection {
  /** The next text message, or the close (then nothing more); binary messages are skipped. */
  next(): Promise<WsEvent>;
  /** Sends a binary frame (the PCM16 little-endian bytes of `pcm`) or a text frame. */
  send(data: Int16Array | string): void;
  /** Whether the socket is still open for sending. */
  readonly open: boolean;
  /** Destroys the socket without a closing handshake (idempotent). */
  destroy(): void;
}

/** One connection attempt. */
export interface WsDial {
  /** `provider_id` for errors. */
  readonly provider: string;
  /** `ws:` or `wss:` URL with the query. */
  readonly url: URL;
  /** Handshake headers (auth). */
  readonly headers: Readonly<Record<string, string>>;
  /** Aborting it destroys the socket; `connect` then resolves null. */
  readonly signal: AbortSignal;
  /**
   * Refines a refused handshake from its parsed JSON body; null keeps the status row. Only stable
   * ids may be taken from the body, never text.
   */
  readonly refine?: (status: number, body: unknown) => AdapterError | null;
}

/** Longest refusal body read. */
const ERROR_BODY_LIMIT = 16 * 1024;

/** Reads a refused handshake's body (bounded) and turns the response into the adapter error. */
async function refusal(dial: WsDial, response: IncomingMessage): Promise<AdapterError> {
  const status = response.statusCode ?? 0;
  let text = '';
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      text += chunk.toString('utf8');
      if (text.length >= ERROR_BODY_LIMIT) break;
    }
  } catch {
    // A broken refusal body changes nothing: the status already decides the outcome.
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const refined = dial.refine?.(status, body) ?? null;
  if (refined !== null) return refined;
  const retryAfter = response.headers['retry-after'];
  return new AdapterError('http_status', {
    provider: dial.provider,
    status,
    ...(typeof retryAfter === 'string' ? { retry_after_ms: retryAfterMs(retryAfter) } : {}),
  });
}

/** Opens the connection; resolves null when the signal aborts first. */
export function connectWebSocket(dial: WsDial): Promise<WsConnection | null> {
  const { provider, signal } = dial;
  if (signal.aborted) return Promise.resolve(null);
  const socket = new WebSocket(dial.url, {
    headers: { ...dial.headers },
    perMessageDeflate: false,
    followRedirects: false,
  });
  const queue: WsEvent[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  const push = (event: WsEvent) => {
    queue.push(event);
    wake?.();
  };
  const destroy = () => {
    // terminate() destroys the TCP socket now; during the handshake it aborts the request.
    if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
  };
  signal.addEventListener('abort', destroy, { once: true });
  socket.on('message', (data, binary) => {
    if (!binary) push({ kind: 'text', data: (data as Buffer).toString('utf8') });
  });
  socket.on('close', (code, reason) => {
    closed = true;
    signal.removeEventListener('abort', destroy);
    push({ kind: 'close', closing: { code, reason: reason.toString('utf8') } });
  });
  const connection: WsConnection = {
    async next() {
      while (queue.length === 0) {
        if (closed && queue.length === 0) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      return queue.shift() ?? { kind: 'close', closing: { code: 1006, reason: '' } };
    },
    send(data) {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(
        typeof data === 'string'
          ? data
          : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      );
    },
    get open() {
      return socket.readyState === WebSocket.OPEN;
    },
    destroy,
  };
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (value: WsConnection | null | AdapterError) => {
      if (done) return;
      done = true;
      socket.off('open', onOpen);
      signal.removeEventListener('abort', onAbort);
      if (value instanceof AdapterError) {
        destroy();
        reject(value);
      } else resolve(value);
    };
    const onOpen = () => settle(connection);
    const onAbort = () => settle(null);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('open', onOpen);
    socket.once('unexpected-response', (_request, response) => {
      refusal(dial, response).then(settle, () => settle(null));
    });
    socket.on('error', (error) => {
      // After the open, errors end in a close event (code 1006); before it, they fail the dial.
      if (socket.readyState === WebSocket.OPEN || signal.aborted) return;
      const failure = toAdapterError(error, provider);
      settle(
        failure.code === 'invoke_failed'
          ? new AdapterError('transport_error', {
              provider,
              detail: 'handshake_failed',
              cause: error,
            })
          : failure,
      );
    });
  });
}
