/**
 * A loopback fake of a streaming speech-to-text WebSocket API: a scripted server on 127.0.0.1
 * plus one provider's documented protocol (route, auth, message framing, error bodies and close
 * codes). It records each connection (URL, headers, binary audio, text messages), answers the
 * handshake or refuses it with an HTTP status, and reports when the client's socket closed, so
 * the STT port conformance suite waits on events, never on the wall clock.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ProviderEnv } from '../../../adapters/providers/kit/index.ts';

/** One connection as the server saw it. */
export interface RecordedConnection {
  /** Path and query of the handshake. */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  /** Binary messages (audio) in order. */
  readonly audio: Buffer[];
  /** Text messages in order. */
  readonly texts: string[];
  /** `performance.now()` when the client's TCP socket closed, or null while open. */
  readonly closed_at: number | null;
}

/** What the adapter asked for, read back in the provider's own terms. */
export interface ReceivedStream {
  /** The API key as sent, or null. */
  readonly key: string | null;
  readonly model: string | null;
  readonly sample_rate: number | null;
  /** The provider's name of 16-bit little-endian PCM, when it was asked for. */
  readonly pcm16: boolean;
  readonly mono: boolean;
}

/** One segment of a scripted transcript: interim hypotheses, then its settled text. */
export interface FakeSegment {
  readonly interims: readonly string[];
  readonly final: string;
}

/** What the server does with one connection. */
export type SttScript =
  /** Refuses the handshake with this HTTP response. */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly body: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Never answers the handshake. */
  | { readonly kind: 'silence' }
  /**
   * Accepts; at the first audio message sends `frames` (holding after `hold_after` until
   * `release()`); at the finish message sends the protocol's closing frames and closes with 1000,
   * or stays silent when `on_finish` is `silence`.
   */
  | {
      readonly kind: 'session';
      readonly frames: readonly string[];
      readonly hold_after?: number;
      readonly on_finish?: 'complete' | 'silence';
    }
  /** Accepts; at the first audio message (or at once, `at: 'open'`) sends `frames`, then closes. */
  | {
      readonly kind: 'close';
      readonly frames: readonly string[];
      readonly code: number;
      readonly reason: string;
      readonly at?: 'open' | 'audio';
    }
  /** Accepts; at the first audio message sends `frames`, then destroys the TCP socket. */
  | { readonly kind: 'drop'; readonly frames: readonly string[] };

/** One provider's documented streaming protocol, as the fake speaks it. */
export interface SttWireProtocol {
  /** Provider name, for titles. */
  readonly name: string;
  /** The adapter's environment, pointing at the fake's origin. */
  env(origin: string, key: string, model: string): ProviderEnv;
  /** Whether a handshake went to the documented path. */
  matches(url: string): boolean;
  /** Reads the handshake back. */
  read(connection: RecordedConnection): ReceivedStream;
  /** Frames sent when a connection opens (before any audio). */
  opening(): string[];
  /** Frames transcribing `segments`: interim results, then each segment settled. */
  results(segments: readonly FakeSegment[]): string[];
  /** Whether a text message is the client's end-of-audio message. */
  isFinish(message: string): boolean;
  /** Frames sent after the end-of-audio message, before the closing handshake. */
  closing(): string[];
  /** A frame that is not JSON. */
  malformedFrame(): string;
  /** The documented refusal body of a handshake answered with `status`. */
  errorBody(status: number): string;
  /** The documented answer to a bad key. */
  authFailure(): SttScript;
  /** Documented mid-stream failures and the outcomes they settle to. */
  readonly midStreamErrors: readonly {
    readonly title: string;
    readonly script: (frames: readonly string[]) => SttScript;
    readonly outcome: {
      readonly class: string;
      readonly reason: string;
      readonly circuit_open?: boolean;
    };
  }[];
}

/** A running fake of one protocol. */
export interface SttFake {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Connections in order of arrival. */
  readonly connections: readonly RecordedConnection[];
  /** The environment an adapter needs to reach this fake with `key`. */
  env(key?: string): ProviderEnv;
  /** Queues the script of the next connection (a connection without one gets a 500). */
  script(script: SttScript): void;
  /** Queues a session that transcribes `segments`, holding after `hold_after` frames. */
  transcribe(segments: readonly FakeSegment[], hold_after?: number): void;
  /** Resolves once `count` connections have arrived. */
  received(count: number): Promise<void>;
  /** Resolves once connection `index` has received `count` audio messages. */
  audio(index: number, count: number): Promise<void>;
  /** Resolves once the client's socket of connection `index` is closed. */
  closed(index: number): Promise<void>;
  /** Lets held sessions send their remaining frames. */
  release(): void;
  /** Closes the server and every connection. */
  dispose(): Promise<void>;
}

/** Key the fake accepts. */
export const FAKE_STT_KEY = 'fake-stt-key-0123456789abcdef';
/** Model the fake expects. */
export const FAKE_STT_MODEL = 'fake-stt-model-1';

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Starts a fake of `protocol` on 127.0.0.1 and a random port. */
export async function startSttFake(protocol: SttWireProtocol): Promise<SttFake> {
  const connections: (RecordedConnection & { closed_at: number | null })[] = [];
  const closings: Promise<void>[] = [];
  const scripts: SttScript[] = [];
  const wakes = new Set<() => void>();
  let releases: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const wake = () => {
    for (const w of [...wakes]) w();
  };
  const until = (ready: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!ready()) return;
        wakes.delete(check);
        resolve();
      };
      wakes.add(check);
      check();
    });
  const server = http.createServer((_req, res) => {
    res.writeHead(426).end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  const refuse = (socket: Socket, script: Extract<SttScript, { kind: 'status' }>) => {
    const head = [
      `HTTP/1.1 ${script.status} ${REASONS[script.status] ?? 'Error'}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(script.body)}`,
      ...Object.entries(script.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
      'Connection: close',
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${script.body}`);
  };

  const serve = (ws: WebSocket, socket: Socket, record: RecordedConnection, script: SttScript) => {
    for (const frame of protocol.opening()) ws.send(frame);
    let started = false;
    let pending: string[] = [];
    let finished = false;
    const end = () => {
      for (const frame of protocol.closing()) ws.send(frame);
      ws.close(1000);
    };
    const start = () => {
      switch (script.kind) {
        case 'session': {
          const hold = script.hold_after ?? script.frames.length;
          for (const frame of script.frames.slice(0, hold)) ws.send(frame);
          pending = script.frames.slice(hold);
          if (pending.length > 0) {
            releases.push(() => {
              for (const frame of pending) ws.send(frame);
              pending = [];
              if (finished && script.on_finish !== 'silence') end();
            });
          }
          return;
        }
        case 'close':
          for (const frame of script.frames) ws.send(frame);
          ws.close(script.code, script.reason);
          return;
        case 'drop':
          for (const frame of script.frames) ws.send(frame);
          // Let the frames leave, then reset without a close frame.
          socket.end(() => socket.destroy());
          return;
        case 'status':
        case 'silence':
          return;
      }
    };
    if (script.kind === 'close' && script.at === 'open') start();
    ws.on('message', (data, binary) => {
      if (binary) {
        record.audio.push(Buffer.from(data as Buffer));
        if (!started) {
          started = true;
          start();
        }
      } else {
        const text = (data as Buffer).toString('utf8');
        record.texts.push(text);
        if (protocol.isFinish(text) && script.kind === 'session') {
          finished = true;
          if (!started) {
            started = true;
            start();
          }
          if (pending.length === 0 && script.on_finish !== 'silence') end();
        }
      }
      wake();
    });
  };

  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const record: RecordedConnection & { closed_at: number | null } = {
      url: req.url ?? '',
      headers: req.headers,
      audio: [],
      texts: [],
      closed_at: null,
    };
    connections.push(record);
    closings.push(
      once(socket, 'close').then(() => {
        record.closed_at = performance.now();
      }),
    );
    let script: SttScript;
    if (!protocol.matches(record.url)) {
      script = { kind: 'status', status: 404, body: protocol.errorBody(404) };
    } else if (protocol.read(record).key !== FAKE_STT_KEY) {
      script = protocol.authFailure();
    } else {
      script = scripts.shift() ?? { kind: 'status', status: 500, body: protocol.errorBody(500) };
    }
    wake();
    if (script.kind === 'status') return refuse(socket, script);
    if (script.kind === 'silence') {
      // Read on, so that the client's FIN is seen and the socket closes.
      socket.resume();
      socket.on('end', () => socket.destroy());
      return;
    }
    const chosen = script;
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, socket, record, chosen));
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    connections,
    env: (key = FAKE_STT_KEY) => protocol.env(origin, key, FAKE_STT_MODEL),
    script: (script) => void scripts.push(script),
    transcribe: (segments, hold_after) =>
      void scripts.push({
        kind: 'session',
        frames: protocol.results(segments),
        ...(hold_after === undefined ? {} : { hold_after }),
      }),
    received: (count) => until(() => connections.length >= count),
    audio: (index, count) => until(() => (connections[index]?.audio.length ?? 0) >= count),
    closed: async (index) => {
      await until(() => closings[index] !== undefined);
      await closings[index];
    },
    release: () => {
      const pending = releases;
      releases = [];
      for (const rest of pending) rest();
    },
    dispose: async () => {
      for (const socket of sockets) socket.destroy();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A header's single value. */
export const headerValue = (connection: RecordedConnection, name: string): string | null => {
  const value = connection.headers[name];
  return typeof value === 'string' ? value : null;
};
