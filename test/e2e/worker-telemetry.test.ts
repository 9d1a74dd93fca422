/**
 * OR-01 from a real `rspp worker` process: with `RSPP_TELEMETRY_OTLP_HTTP_ENDPOINT` set, the
 * spans of the turns it runs reach an OTLP/HTTP receiver (a loopback server here) by the time it
 * has drained, without the words of the conversation; a bad telemetry variable exits 2.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsBus, type NatsBus } from '../../adapters/bus/nats/index.ts';
import { BUILT_IN_SCRIPT } from '../../tools/run/script.ts';
import { driveSession } from '../../tools/worker/index.ts';
import { startNatsServer, type NatsServerHandle } from '../harness/nats-server.ts';
import { spawnRspp, type WorkerProcess } from './worker-process.ts';

describe('rspp worker exports OR-01 spans over OTLP/HTTP', () => {
  let server: NatsServerHandle | undefined;
  let receiver: Server | undefined;
  let endpoint = '';
  const bodies: { url: string; body: string }[] = [];
  const workers: WorkerProcess[] = [];
  let nc: NatsConnection | undefined;
  let bus: NatsBus | undefined;

  beforeAll(async () => {
    // A server of its own: no other test's worker may take this session.
    server = await startNatsServer();
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}`;
    nc = await connect({ servers: server.url, name: 'telemetry-driver' });
    bus = await createNatsBus({ servers: server.url, name: 'telemetry-driver-bus' });
  }, 60_000);

  afterAll(async () => {
    await bus?.close();
    await nc?.close();
    for (const w of workers) w.kill();
    await Promise.all(workers.map((w) => w.exited));
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    await server?.dispose();
  });

  it('sends the turn, node and provider spans of a session, and none of its words', async () => {
    if (server === undefined || nc === undefined || bus === undefined) throw new Error('no setup');
    const worker = spawnRspp('tel', ['worker', '--nats-url', server.url, '--name', 'tel'], {
      RSPP_TELEMETRY_OTLP_HTTP_ENDPOINT: endpoint,
    });
    workers.push(worker);
    await worker.waitForEvent((e) => e.event === 'ready', 'ready');
    const session_id = `tel-${String(process.pid)}`;
    const result = await driveSession(
      { nc, bus },
      { tenant_id: 'tel', session_id, script: BUILT_IN_SCRIPT, timeScale: 0.2 },
    );
    expect(result.control.some((s) => s.signal === 'close')).toBe(true);
    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);

    expect(bodies.length).toBeGreaterThan(0);
    expect(new Set(bodies.map((b) => b.url))).toEqual(new Set(['/v1/traces']));
    const all = bodies.map((b) => b.body).join('\n');
    for (const name of ['turn_span', 'node_span', 'provider_invocation_span'])
      expect(all).toContain(`"${name}"`);
    expect(all).toContain(session_id);
    for (const step of BUILT_IN_SCRIPT.steps)
      if (step.text !== undefined && step.kind === 'transcript_final')
        expect(all).not.toContain(step.text);
  });

  it('exits 2 naming the variable when a telemetry setting is bad', async () => {
    if (server === undefined) throw new Error('no setup');
    const worker = spawnRspp('tel-bad', ['worker', '--nats-url', server.url], {
      RSPP_TELEMETRY_OTLP_HTTP_ENDPOINT: endpoint,
      RSPP_TELEMETRY_QUEUE_CAPACITY: 'lots',
    });
    workers.push(worker);
    expect((await worker.exited).code).toBe(2);
    expect(worker.stderr()).toContain(
      'RSPP_TELEMETRY_QUEUE_CAPACITY must be an integer from 1 to 1000000, received "lots"',
    );
  });
});
