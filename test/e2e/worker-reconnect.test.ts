/**
 * A worker across nats-server outages (issue 10 item 3), on nats-servers of this file's own
 * (each test stops and restarts its server on the same port and JetStream store): a worker
 * rejoins after a short outage and serves again, exits 1 with a clear message once its reconnect
 * budget runs out, and a driver's assignment made right after a restart is retried until a
 * worker answers. Waits are bounded polls for an outcome; nothing asserts a duration.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createNatsBus, type NatsBus } from '../../adapters/bus/nats/index.ts';
import type { ControlSignal } from '../../contracts/index.ts';
import type { MachineOutput } from '../../machines/index.ts';
import { checkTurnInvariants } from '../../machines/invariants.ts';
import { assignSession, startWorker, type DriverLink } from '../../tools/worker/index.ts';
import { waitFor } from '../conformance/bus/fixtures.ts';
import { startNatsServer, type NatsServerHandle } from '../harness/nats-server.ts';
import { spawnRspp, type WorkerProcess } from './worker-process.ts';

const TENANT = 'reconnect-e2e';

const asOutputs = (control: readonly ControlSignal[]): MachineOutput[] =>
  control.map((signal) => ({ type: 'control.signal', signal }));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A nats-server of this test's own, disposed after it. */
async function ownServer(): Promise<NatsServerHandle> {
  const server = await startNatsServer();
  cleanups.push(() => server.dispose());
  return server;
}

/** A worker process on `server`, killed after the test if it is still running. */
async function workerProcess(
  server: NatsServerHandle,
  name: string,
  extra: readonly string[] = [],
): Promise<WorkerProcess> {
  const worker = spawnRspp(name, ['worker', '--nats-url', server.url, '--name', name, ...extra]);
  cleanups.push(async () => {
    worker.kill();
    await worker.exited;
  });
  await worker.waitForEvent((e) => e.event === 'ready', 'ready');
  return worker;
}

/** A driver's connection and bus, with the client's default reconnect behaviour. */
async function driverLink(server: NatsServerHandle): Promise<DriverLink> {
  const nc: NatsConnection = await connect({ servers: server.url, name: 'reconnect-driver' });
  const bus: NatsBus = await createNatsBus({ servers: server.url, name: 'reconnect-driver-bus' });
  cleanups.push(async () => {
    await bus.close();
    await nc.close();
  });
  return { nc, bus };
}

describe('rspp worker across nats-server outages (issue 10 item 3)', { timeout: 60_000 }, () => {
  it('rejoins the queue group after a short outage and runs a new session', async () => {
    const server = await ownServer();
    const worker = await workerProcess(server, 'rejoin-a');
    const link = await driverLink(server);

    await server.stop();
    await worker.waitForEvent((e) => e.event === 'nats_disconnected', 'nats_disconnected');
    await server.restart();
    await worker.waitForEvent((e) => e.event === 'nats_reconnected', 'nats_reconnected');

    const session = await assignSession(link, { tenant_id: TENANT, session_id: 'after-outage' });
    try {
      expect(session.worker_id).toBe('rejoin-a');
      await session.feed({ at_ms: 0, kind: 'connection', text: 'connected' });
      await session.feed({ at_ms: 600, kind: 'speech_started' });
      await session.feed({ at_ms: 1000, kind: 'transcript_final', text: 'hello there' });
      await session.waitFor((c) => c.some((s) => s.signal === 'commit'), 'commit');
      const ended = await session.end();
      expect(ended.ended).toBe(true);
      expect(checkTurnInvariants(asOutputs(session.control), { complete: true })).toEqual([]);
      expect(session.control.at(-1)?.signal).toBe('close');
    } finally {
      await session.close();
    }
    expect(worker.child.exitCode).toBeNull();
  });

  it('exits 1 with a clear message once NATS stays down past its reconnect budget', async () => {
    const server = await ownServer();
    const worker = await workerProcess(server, 'budget-a', ['--reconnect-for-ms', '2000']);
    const link = await driverLink(server);
    // A turn is running when the server goes away: it must not keep the process alive.
    const session = await assignSession(link, { tenant_id: TENANT, session_id: 'cut-off' });
    await session.feed({ at_ms: 0, kind: 'connection', text: 'connected' });
    await session.feed({ at_ms: 600, kind: 'speech_started' });
    await session.feed({ at_ms: 1000, kind: 'transcript_final', text: 'tell me a long story' });
    await session.waitFor((c) => c.some((s) => s.signal === 'turn_open'), 'turn_open');

    await server.stop();
    expect(await worker.exited).toEqual({ code: 1, signal: null });
    expect(worker.stderr()).toContain(
      'rspp worker: NATS connection lost: not reconnected within 2000 ms; exiting with 1',
    );
    const gaveUp = worker.events.find((e) => e.event === 'nats_gave_up');
    expect(gaveUp).toEqual({
      event: 'nats_gave_up',
      severity: 'error',
      reconnect_for_ms: 2000,
      active: 1,
      reason: 'not reconnected within 2000 ms',
    });
    // The log names no user content.
    expect(JSON.stringify(worker.events)).not.toContain('long story');
  });

  it('fails a drain that waits offline once the reconnect budget runs out', async () => {
    const server = await ownServer();
    const events: Readonly<Record<string, unknown>>[] = [];
    const worker = await startWorker({
      natsUrl: server.url,
      concurrency: 1,
      worker_id: 'offline-drain',
      connectTimeoutMs: 5000,
      reconnectForMs: 1000,
      log: (event) => void events.push(event),
    });
    const link = await driverLink(server);
    const session = await assignSession(link, { tenant_id: TENANT, session_id: 'offline' });
    await session.feed({ at_ms: 0, kind: 'connection', text: 'connected' });
    await session.feed({ at_ms: 600, kind: 'speech_started' });
    await session.feed({ at_ms: 1000, kind: 'transcript_final', text: 'tell me a long story' });
    await session.waitFor((c) => c.some((s) => s.signal === 'turn_open'), 'turn_open');

    await server.stop();
    await waitFor('the worker saw the outage', () =>
      events.some((e) => e['event'] === 'nats_disconnected'),
    );
    // The live turn's terminal waits for NATS to be published; NATS does not come back.
    await expect(worker.drain()).rejects.toThrow(
      'NATS connection lost: not reconnected within 1000 ms',
    );
    expect(await worker.lost).toBe('not reconnected within 1000 ms');
  });

  it('retries "no responders" until a worker joins the queue group', async () => {
    const server = await ownServer();
    const link = await driverLink(server);
    let failed = 0;
    // Counts the requests that found no worker, so the worker starts only after one did.
    const nc = new Proxy(link.nc, {
      get(target, key) {
        if (key === 'request') {
          return (...args: Parameters<NatsConnection['request']>) =>
            target.request(...args).catch((error: unknown) => {
              failed += 1;
              throw error;
            });
        }
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const assigning = assignSession(
      { nc, bus: link.bus },
      { tenant_id: TENANT, session_id: 'late' },
    );
    assigning.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    await waitFor('a request that found no worker', () => failed > 0);
    const worker = await startWorker({
      natsUrl: server.url,
      concurrency: 1,
      worker_id: 'late-a',
      connectTimeoutMs: 5000,
      log: () => undefined,
    });
    cleanups.push(() => worker.drain());
    const session = await assigning;
    try {
      expect(session.worker_id).toBe('late-a');
      expect((await session.end()).ended).toBe(true);
    } finally {
      await session.close();
    }
  });

  it('retries an assignment made right after a restart until a worker answers', async () => {
    const server = await ownServer();
    const events: Readonly<Record<string, unknown>>[] = [];
    const worker = await startWorker({
      natsUrl: server.url,
      concurrency: 2,
      worker_id: 'retry-a',
      connectTimeoutMs: 5000,
      log: (event) => void events.push(event),
    });
    cleanups.push(() => worker.drain());
    const link = await driverLink(server);

    await server.stop();
    await waitFor('the driver saw the outage', () => link.bus.connectionState() !== 'connected');
    await server.restart();
    // Right away: neither the worker nor the driver need have reconnected yet.
    const session = await assignSession(link, { tenant_id: TENANT, session_id: 'at-restart' });
    try {
      expect(session.worker_id).toBe('retry-a');
      expect((await session.end()).ended).toBe(true);
    } finally {
      await session.close();
    }
  });
});
