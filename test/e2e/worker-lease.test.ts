/**
 * Workers under KV leases (ADR 0015), in process, on a nats-server of this file's own: the
 * shared server's worker processes (workers.test.ts) join the same queue group and would take
 * these sessions. Waits are bounded polls; nothing asserts a duration.
 */
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNatsBus, type NatsBus } from '../../adapters/bus/nats/index.ts';
import { createNatsKvLeases, type NatsKvLeases } from '../../adapters/lease/nats-kv/index.ts';
import type { ControlSignal } from '../../contracts/index.ts';
import { assignmentSubject, leaseKey } from '../../contracts/internal.ts';
import type { MachineOutput } from '../../machines/index.ts';
import { checkTurnInvariants } from '../../machines/invariants.ts';
import {
  assignSession,
  startWorker,
  type AssignmentReply,
  type DrivenSession,
  type Worker,
} from '../../tools/worker/index.ts';
import { waitFor } from '../conformance/bus/fixtures.ts';
import { startNatsServer, type NatsServerHandle } from '../harness/nats-server.ts';

const TENANT = 'lease-e2e';
/** Renews every 200 ms; long enough that a busy test process does not lapse it by accident. */
const TTL_MS = 600;
const BUCKET = 'T_WORKER_LEASES';

let server: NatsServerHandle;
let nc: NatsConnection;
let bus: NatsBus;
let kv: KV;
let leases: NatsKvLeases;
beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url, name: 'lease-e2e-driver' });
  bus = await createNatsBus({ servers: server.url, name: 'lease-e2e-driver-bus' });
  leases = await createNatsKvLeases({ nc, ttlMs: TTL_MS, bucket: BUCKET });
  kv = await new Kvm(nc).open(BUCKET);
}, 30_000);
afterAll(async () => {
  await leases.close();
  await bus.close();
  await nc.close();
  await server.dispose();
});

type Events = Readonly<Record<string, unknown>>[];
const running: Worker[] = [];
afterEach(async () => {
  for (const worker of running.splice(0)) await worker.drain();
});

/** An in-process worker on this file's server and lease bucket, logging into `events`. */
async function worker(worker_id: string): Promise<{ worker: Worker; events: Events }> {
  const events: Events = [];
  const started = await startWorker({
    natsUrl: server.url,
    concurrency: 2,
    worker_id,
    connectTimeoutMs: 5_000,
    log: (event) => events.push(event),
    leases,
  });
  running.push(started);
  return { worker: started, events };
}

let n = 0;
const nextSession = () => `s-${String(process.pid)}-${String((n += 1))}`;
const link = () => ({ nc, bus });
const signals = (control: readonly ControlSignal[], name: string) =>
  control.filter((s) => s.signal === name);
const asOutputs = (control: readonly ControlSignal[]): MachineOutput[] =>
  control.map((signal) => ({ type: 'control.signal', signal }));

/** Feeds a connection and one user utterance, then waits for the turn to open. */
async function openTurn(session: DrivenSession, text: string): Promise<void> {
  await session.feed({ at_ms: 0, kind: 'connection', text: 'connected' });
  await session.feed({ at_ms: 600, kind: 'speech_started' });
  await session.feed({ at_ms: 1000, kind: 'transcript_final', text });
  await session.waitFor((c) => signals(c, 'turn_open').length > 0, 'turn_open');
}

describe('rspp worker under KV leases', () => {
  it('takes the lease with a session: epoch = the revision of the acquiring write, turns carry it, end releases it', async () => {
    const { events } = await worker('lease-w1');
    const session_id = nextSession();
    const session = await assignSession(link(), { tenant_id: TENANT, session_id });
    try {
      const epoch = session.authority_epoch;
      const acquiring = await kv.get(leaseKey(TENANT, session_id), { revision: epoch });
      expect(acquiring?.revision).toBe(epoch);
      expect(acquiring?.json()).toEqual({ holder: 'lease-w1' });
      expect(await leases.lease(TENANT, session_id).current()).toEqual({
        holder: 'lease-w1',
        epoch,
      });
      await openTurn(session, 'hello there');
      const opened = signals(session.control, 'turn_open');
      expect(opened.map((s) => s.authority_epoch)).toEqual([epoch]);
      await session.end();
      expect(await leases.lease(TENANT, session_id).current()).toBeNull();
      expect(events).toContainEqual(
        expect.objectContaining({ event: 'session_closed', session_id, lease: 'released' }),
      );
      expect(checkTurnInvariants(asOutputs(session.control), { complete: true })).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it('refuses a session whose lease another holder has, naming that holder', async () => {
    const { worker: w } = await worker('lease-w2');
    const session_id = nextSession();
    const held = await leases.lease(TENANT, session_id).acquire('other-placement');
    const msg = await nc.request(
      assignmentSubject(TENANT),
      JSON.stringify({ tenant_id: TENANT, session_id }),
      { timeout: 5_000 },
    );
    const answer = msg.json<AssignmentReply>();
    expect(answer).toMatchObject({ accepted: false, worker_id: 'lease-w2', reason: 'lease_held' });
    expect(answer.accepted ? '' : answer.message).toContain(
      `held by other-placement (epoch ${String(held.epoch)})`,
    );
    expect(w.active()).toBe(0);
    expect(await leases.lease(TENANT, session_id).current()).toEqual({
      holder: 'other-placement',
      epoch: held.epoch,
    });
  });

  it('loses the lease to another placement: RK-24 diagnostic, the live turn revoked, the session ended here', async () => {
    const { worker: w, events } = await worker('lease-w3');
    const session_id = nextSession();
    const session = await assignSession(link(), { tenant_id: TENANT, session_id });
    try {
      await openTurn(session, 'tell me a long story');
      // Another placement's write (an operator move): the worker's next renew is refused.
      const key = leaseKey(TENANT, session_id);
      await kv.put(key, JSON.stringify({ holder: 'lease-w9' }));
      await waitFor('lease_lost logged', () => events.some((e) => e['event'] === 'lease_lost'));
      expect(events.find((e) => e['event'] === 'lease_lost')).toEqual({
        event: 'lease_lost',
        severity: 'error',
        tenant_id: TENANT,
        session_id,
        epoch: session.authority_epoch,
        reason: 'lease_stale_epoch',
        message: expect.stringContaining('lease-w3') as unknown,
      });
      await waitFor('session closed here', () => w.active() === 0);
      const closed = events.find((e) => e['event'] === 'session_closed');
      expect(closed).toMatchObject({ session_id, lease: 'lost' });
      const published = (closed?.['published'] as { ControlLane: number }).ControlLane;
      await session.waitFor((c) => c.length >= published, 'ControlLane delivery');
      const aborts = signals(session.control, 'abort');
      expect(aborts.map((s) => s.reason)).toEqual(['authority_loss']);
      expect(session.control.at(-1)?.signal).toBe('close');
      expect(checkTurnInvariants(asOutputs(session.control), { complete: true })).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it('releases the leases of live sessions when it drains', async () => {
    const { worker: w, events } = await worker('lease-w4');
    const session_id = nextSession();
    const session = await assignSession(link(), { tenant_id: TENANT, session_id });
    try {
      expect((await leases.lease(TENANT, session_id).current())?.holder).toBe('lease-w4');
      await w.drain();
      expect(await leases.lease(TENANT, session_id).current()).toBeNull();
      expect(events).toContainEqual(
        expect.objectContaining({ event: 'session_closed', session_id, lease: 'released' }),
      );
    } finally {
      await session.close();
    }
  });
});
