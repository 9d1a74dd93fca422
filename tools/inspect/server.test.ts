import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { evidenceSteps } from './evidence.ts';
import { createInspectorHub } from './hub.ts';
import { startInspectorServer } from './server.ts';

/** A GET with an explicit Host header (fetch always sends the real one). */
function get(port: number, path: string, host: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('startInspectorServer', () => {
  it('serves the page, the statecharts and Graphviz on 127.0.0.1 only to its own Host', async () => {
    const server = await startInspectorServer({
      evidence: { ...evidenceSteps(''), file: 'x.jsonl' },
    });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
      const page = await get(server.port, '/', `127.0.0.1:${server.port}`);
      expect(page.status).toBe(200);
      expect(page.headers['content-security-policy']).toContain("default-src 'none'");
      expect(page.body).toContain('<script type="module" src="/app.js">');
      const config = JSON.parse(
        (await get(server.port, '/api/config', `localhost:${server.port}`)).body,
      );
      expect(config.mode).toBe('evidence');
      expect(Object.keys(config.machines)).toEqual(['session', 'turn', 'node', 'invocation']);
      expect(config.machines.turn).toContain('"turn.Active.running"');
      const viz = await get(server.port, '/vendor/viz.js', `127.0.0.1:${server.port}`);
      expect([viz.status, viz.body.length > 1_000_000]).toEqual([200, true]);
      // A page elsewhere reaching it through DNS rebinding sends its own Host: refused.
      expect((await get(server.port, '/api/config', `evil.example:${server.port}`)).status).toBe(
        403,
      );
      expect((await get(server.port, '/../package.json', `127.0.0.1:${server.port}`)).status).toBe(
        404,
      );
    } finally {
      await server.close();
    }
  });

  it('streams the hub over /ws, and refuses a socket from another origin', async () => {
    const hub = createInspectorHub({ flush_every_ms: 10 });
    const server = await startInspectorServer({ hub });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
        ws.once('message', (data: Buffer) => {
          ws.close();
          resolve(data.toString('utf8'));
        });
        ws.once('error', reject);
      });
      expect(JSON.parse(first)).toEqual([
        expect.objectContaining({ t: 'reset', actors: [], timeline: [] }),
      ]);
      const refused = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, {
          headers: { origin: 'http://evil.example' },
        });
        ws.once('open', () => resolve('open'));
        ws.once('error', () => resolve('refused'));
      });
      expect(refused).toBe('refused');
    } finally {
      hub.close();
      await server.close();
    }
  });
});
