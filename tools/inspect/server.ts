/**
 * The inspector's local web server: bound to 127.0.0.1, it serves the static page (plain HTML
 * and JS from `page/`, Graphviz in WebAssembly from `@viz-js/viz` in node_modules), the
 * statecharts' DOT, an evidence file's steps, and a WebSocket (`/ws`) streaming a hub's
 * content-free messages. Requests whose Host is not this loopback address are refused (a web
 * page elsewhere cannot reach it by DNS rebinding), and the page's Content-Security-Policy allows
 * no other origin, so it works offline and cannot leak.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EvidenceSteps } from './evidence.ts';
import type { InspectorHub } from './hub.ts';
import { statechartDots } from './statecharts.ts';

/** Options of {@link startInspectorServer}; give a hub (live), evidence, or both. */
export type InspectorServerOptions = {
  readonly hub?: InspectorHub;
  readonly evidence?: EvidenceSteps & { readonly file: string };
  /** TCP port on 127.0.0.1 (default 0: any free port). */
  readonly port?: number;
  /** What the page's title bar says this is (e.g. `scripted session`). */
  readonly label?: string;
};

/** A running inspector server. */
export type InspectorServer = {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly port: number;
  /** Closes every socket and the server. */
  close(): Promise<void>;
};

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'page');
// The package's `import` entry (dist/viz.js) is one self-contained ES module with the
// WebAssembly inlined; `require.resolve` gives its CommonJS twin in the same folder.
const VIZ_FILE = join(dirname(createRequire(import.meta.url).resolve('@viz-js/viz')), 'viz.js');

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: join(PAGE_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { file: join(PAGE_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: join(PAGE_DIR, 'style.css'), type: 'text/css; charset=utf-8' },
  '/vendor/viz.js': { file: VIZ_FILE, type: 'text/javascript; charset=utf-8' },
};

/** Starts the server on 127.0.0.1. */
export async function startInspectorServer(
  options: InspectorServerOptions,
): Promise<InspectorServer> {
  const dots = statechartDots();
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const csp = () =>
    [
      "default-src 'none'",
      "script-src 'self' 'wasm-unsafe-eval'",
      "style-src 'self'",
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port} data:`,
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
    ].join('; ');

  const config = () => ({
    mode: options.hub === undefined ? 'evidence' : 'live',
    label: options.label ?? '',
    machines: dots,
    evidence: options.evidence === undefined ? null : { file: options.evidence.file },
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!allowedHosts().has(req.headers.host ?? '')) return send(res, 403, 'text/plain', 'host');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method');
    const path = new URL(req.url ?? '/', `http://${req.headers.host}`).pathname;
    const file = STATIC[path];
    if (file !== undefined) {
      const body = await readFile(file.file);
      return send(res, 200, file.type, body, path === '/' ? csp() : undefined);
    }
    if (path === '/api/config') return json(res, config());
    if (path === '/api/evidence') {
      if (options.evidence === undefined) return send(res, 404, 'text/plain', 'no evidence');
      const { steps, skipped_lines, other_records } = options.evidence;
      return json(res, { steps, skipped_lines, other_records });
    }
    return send(res, 404, 'text/plain', 'not found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, 'text/plain', 'error'));
  });
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: 1024,
  });
  server.on('upgrade', (req, socket, head) => {
    const origin = req.headers.origin;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const originOk =
      origin === undefined ||
      origin === `http://127.0.0.1:${port}` ||
      origin === `http://localhost:${port}`;
    if (
      options.hub === undefined ||
      url.pathname !== '/ws' ||
      !allowedHosts().has(req.headers.host ?? '') ||
      !originOk
    ) {
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => attach(ws, options.hub!));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    async close() {
      for (const ws of sockets.clients) ws.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Connects one page's socket to the hub; the page only listens (what it sends is ignored). */
function attach(ws: WebSocket, hub: InspectorHub): void {
  const disconnect = hub.connect({
    send: (frame) => {
      if (ws.readyState === ws.OPEN) ws.send(frame);
    },
    bufferedAmount: () => ws.bufferedAmount,
  });
  ws.on('close', disconnect);
  ws.on('error', disconnect);
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  policy?: string,
): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(policy === undefined ? {} : { 'content-security-policy': policy }),
  });
  res.end(body);
}

function json(res: ServerResponse, value: unknown): void {
  send(res, 200, 'application/json', JSON.stringify(value));
}
