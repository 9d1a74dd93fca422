/**
 * A scripted HTTP server on 127.0.0.1 for provider adapter tests: it records each request
 * (method, path, headers, JSON body), answers with the next scripted reply (a status with a
 * body, an event stream that may hold or break off, or silence), and reports when the client
 * closed the connection, so tests wait on events, never on the wall clock.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (undefined when it was not JSON). */
  readonly body: unknown;
}

/** What the server answers to one request. */
export type ScriptedReply =
  /** `frames` written as an event stream; after `hold_after` frames it waits for `release()`. */
  | {
      readonly kind: 'events';
      readonly frames: readonly string[];
      readonly hold_after?: number;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Writes `frames`, then destroys the socket without ending the chunked body. */
  | { readonly kind: 'break'; readonly frames: readonly string[] }
  /** A whole response. */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly body: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Never answers (the client's deadline or abort decides). */
  | { readonly kind: 'silence' };

/** The running server. */
export interface LoopbackHttpServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Requests received so far, in order. */
  readonly requests: readonly RecordedRequest[];
  /** Queues the reply of the next request (a request with no reply queued gets a 500). */
  reply(reply: ScriptedReply): void;
  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void>;
  /** Resolves once the connection of request `index` (0-based) is closed by either side. */
  closed(index: number): Promise<void>;
  /** Lets a held event stream write its remaining frames and end. */
  release(): void;
  /** Closes the server and every connection. */
  dispose(): Promise<void>;
}

/** Starts the server on 127.0.0.1 and a random port; `route` may answer before the script. */
export async function startLoopbackHttp(
  route?: (request: RecordedRequest) => ScriptedReply | null,
): Promise<LoopbackHttpServer> {
  const requests: RecordedRequest[] = [];
  const replies: ScriptedReply[] = [];
  const closings: Promise<void>[] = [];
  const arrivals: (() => void)[] = [];
  let releases: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const closing = once(res, 'close').then(() => undefined);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(recorded);
      closings.push(closing);
      for (const wake of arrivals.splice(0)) wake();
      const reply = route?.(recorded) ??
        replies.shift() ?? { kind: 'status', status: 500, body: '' };
      answer(res, reply);
    });
  });

  function answer(res: http.ServerResponse, reply: ScriptedReply): void {
    switch (reply.kind) {
      case 'silence':
        return;
      case 'status':
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body);
        return;
      case 'break':
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const frame of reply.frames) res.write(frame);
        // Let the frames leave before the reset, so the client sees them, then the break.
        res.socket?.end();
        return;
      case 'events': {
        res.writeHead(200, { 'content-type': 'text/event-stream', ...reply.headers });
        const hold = reply.hold_after ?? reply.frames.length;
        for (const frame of reply.frames.slice(0, hold)) res.write(frame);
        const rest = () => {
          for (const frame of reply.frames.slice(hold)) res.write(frame);
          res.end();
        };
        if (hold >= reply.frames.length) rest();
        else releases.push(rest);
        return;
      }
    }
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    reply: (reply) => void replies.push(reply),
    received: (count) =>
      new Promise<void>((resolve) => {
        const check = () => (requests.length >= count ? resolve() : arrivals.push(check));
        check();
      }),
    closed: async (index) => {
      await new Promise<void>((resolve) => {
        const check = () => (closings[index] === undefined ? arrivals.push(check) : resolve());
        check();
      });
      await closings[index];
    },
    release: () => {
      const pending = releases;
      releases = [];
      for (const rest of pending) rest();
    },
    dispose: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
