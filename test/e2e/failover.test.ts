/**
 * Issue 10, item 1: a worker dies (`kill -9`) mid-reply and another worker takes its session
 * once the lease has expired. Every record of the new placement must reach the transport (none
 * taken by JetStream for a duplicate of the dead placement's), under turn ids of its own.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsBus, type NatsBus } from '../../adapters/bus/nats/index.ts';
import type { ControlSignal } from '../../contracts/index.ts';
import { assignSession } from '../../tools/worker/index.ts';
import { startNatsServer, type NatsServerHandle } from '../harness/nats-server.ts';
import { spawnRspp, type WorkerProcess } from './worker-process.ts';

const TENANT = 'failover';
const TTL_MS = 1000;

const named = (control: readonly ControlSignal[], signal: string) =>
  control.filter((s) => s.signal === signal);

describe('a session taken over after its worker died (issue 10, item 1)', () => {
  // A server of its own: the lease bucket's TTL is fixed by whoever creates it first.
  let server: NatsServerHandle | undefined;
  let natsUrl = '';
  const workers: WorkerProcess[] = [];
  let nc: NatsConnection | undefined;
  let bus: NatsBus | undefined;
  const worker = async (name: string) => {
    const args = ['worker', '--nats-url', natsUrl, '--name', name, '--tenant', TENANT];
    const started = spawnRspp(name, [...args, '--lease-ttl-ms', String(TTL_MS)]);
    workers.push(started);
    await started.waitForEvent((e) => e.event === 'ready', 'ready');
    return started;
  };

  beforeAll(async () => {
    server = await startNatsServer();
    natsUrl = server.url;
    nc = await connect({ servers: natsUrl, name: 'failover-driver' });
    bus = await createNatsBus({ servers: natsUrl, name: 'failover-driver-bus' });
  });

  afterAll(async () => {
    await bus?.close();
    await nc?.close();
    for (const w of workers) w.kill();
    await Promise.all(workers.map((w) => w.exited));
    await server?.dispose();
  });

  it('delivers every record of the new placement, under turn ids of its own', async () => {
    if (nc === undefined || bus === undefined) throw new Error('driver not connected');
    const link = { nc, bus };
    const session_id = `fo-${String(process.pid)}-${String(Date.now())}`;
    const a = await worker('failover-a');
    const first = await assignSession(link, { tenant_id: TENANT, session_id });
    await first.feed({ at_ms: 0, kind: 'transcript_final', text: 'tell me a long story' });
    await first.waitFor((c) => named(c, 'turn_open').length > 0, 'turn_open (first placement)');
    a.kill(); // kill -9: no drain, no release; the lease runs out on its own
    await a.exited;
    await first.close();

    await worker('failover-b');
    // `lease_held` until the dead placement's lease expires.
    const second = await assignSession(link, { tenant_id: TENANT, session_id, attempts: 60 });
    try {
      expect(second.authority_epoch).toBeGreaterThan(first.authority_epoch);
      const [oldTurn] = named(first.control, 'turn_open').map((s) => s.turn_id);
      // The dead placement's turn is closed by the new worker (issue 10, item 2:
      // orphaned-turns.test.ts); those records are not its runtime session's.
      const own = () => second.control.filter((s) => s.turn_id !== oldTurn);
      await second.feed({ at_ms: 0, kind: 'transcript_final', text: 'are you there?' });
      await second.waitFor(() => named(own(), 'close').length > 0, 'close (second placement)');
      const ended = await second.end();
      await second.waitFor(() => own().length >= ended.published.ControlLane, 'every record');
      // Every record the new placement published reached the transport.
      expect(own().length).toBe(ended.published.ControlLane);
      expect(named(own(), 'turn_open_proposed')).toHaveLength(1);
      const opened = named(own(), 'turn_open');
      expect(opened.map((s) => s.authority_epoch)).toEqual([second.authority_epoch]);
      expect(opened[0]?.turn_id).not.toBe(oldTurn);
      // Every turn-scoped record of the new placement names its own turn.
      const turns = new Set(own().flatMap((s) => (s.turn_id === undefined ? [] : [s.turn_id])));
      expect([...turns]).toEqual([opened[0]?.turn_id]);
    } finally {
      await second.close();
    }
  }, 60_000);
});
