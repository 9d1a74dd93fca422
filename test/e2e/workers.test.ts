import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNatsBus, type NatsBus } from '../../adapters/bus/nats/index.ts';
import type { ControlSignal } from '../../contracts/index.ts';
import { LEASE_BUCKET_NAME, assignmentSubject, leaseKey } from '../../contracts/internal.ts';
import type { MachineOutput } from '../../machines/index.ts';
import { checkTurnInvariants } from '../../machines/invariants.ts';
import { BUILT_IN_SCRIPT } from '../../tools/run/script.ts';
import {
  assignSession,
  driveSession,
  type AssignmentReply,
  type DriveResult,
} from '../../tools/worker/index.ts';
import { spawnRspp, type WorkerProcess } from './worker-process.ts';

const TENANT = 'e2e';
const RUN = `${String(process.pid)}-${String(Date.now())}`;

const asOutputs = (control: readonly ControlSignal[]): MachineOutput[] =>
  control.map((signal) => ({ type: 'control.signal', signal }));

/** Terminal signals (`commit` / `abort`) per turn that had a `turn_open`. */
function terminalsPerTurn(control: readonly ControlSignal[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of control) {
    if (typeof s.turn_id !== 'string') continue;
    if (s.signal === 'turn_open') counts.set(s.turn_id, counts.get(s.turn_id) ?? 0);
    if (s.signal === 'commit' || s.signal === 'abort') {
      counts.set(s.turn_id, (counts.get(s.turn_id) ?? 0) + 1);
    }
  }
  return counts;
}

describe('rspp worker processes (e2e, NATS)', () => {
  const natsUrl = inject('natsUrl');
  const workers: WorkerProcess[] = [];
  let nc: NatsConnection | undefined;
  let bus: NatsBus | undefined;

  beforeAll(async () => {
    for (const name of ['e2e-a', 'e2e-b']) {
      workers.push(
        spawnRspp(name, ['worker', '--nats-url', natsUrl, '--name', name, '--concurrency', '3']),
      );
    }
    await Promise.all(workers.map((w) => w.waitForEvent((e) => e.event === 'ready', 'ready')));
    nc = await connect({ servers: natsUrl, name: 'e2e-driver' });
    bus = await createNatsBus({ servers: natsUrl, name: 'e2e-driver-bus' });
  }, 60_000);

  afterAll(async () => {
    await bus?.close();
    await nc?.close();
    for (const worker of workers) worker.kill();
    await Promise.all(workers.map((w) => w.exited));
  });

  const link = () => {
    if (nc === undefined || bus === undefined) throw new Error('driver not connected');
    return { nc, bus };
  };

  it('ends every accepted turn with exactly one terminal then close, across both workers', async () => {
    // Six concurrent sessions against two workers of capacity 3: the queue group spreads them and
    // a full worker refuses (at_capacity), so both workers must take sessions.
    const results: DriveResult[] = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        driveSession(link(), {
          tenant_id: TENANT,
          session_id: `s-${RUN}-${String(i)}`,
          script: BUILT_IN_SCRIPT,
        }),
      ),
    );
    for (const result of results) {
      expect(checkTurnInvariants(asOutputs(result.control), { complete: true })).toEqual([]);
      const terminals = terminalsPerTurn(result.control);
      expect(terminals.size).toBeGreaterThan(0);
      for (const count of terminals.values()) expect(count).toBe(1);
      expect(result.control.length).toBe(result.ended.published.ControlLane);
    }
    expect(new Set(results.map((r) => r.worker_id))).toEqual(new Set(['e2e-a', 'e2e-b']));
  }, 120_000);

  it('refuses an assignment whose body names another tenant than its subject (issue 10 item 4)', async () => {
    const { nc: driver } = link();
    const session_id = `cross-${RUN}`;
    const msg = await driver.request(
      assignmentSubject(TENANT),
      JSON.stringify({
        tenant_id: 'e2e-other',
        session_id,
        options: { system_prompt: 'secret prompt' },
      }),
      { timeout: 15_000 },
    );
    const answer = msg.json<AssignmentReply>();
    if (answer.accepted) {
      // Before the fix the worker ran it as tenant e2e-other: end it so the file stays clean.
      await driver.request(answer.session_inbox, JSON.stringify({ op: 'end' }), {
        timeout: 15_000,
      });
    }
    expect(answer).toEqual({
      accepted: false,
      worker_id: expect.stringMatching(/^e2e-[ab]$/) as unknown,
      reason: 'invalid_request',
      message: `tenant_id: expected "${TENANT}" (the tenant of subject ${assignmentSubject(TENANT)}), received "e2e-other"`,
    });
    const owner = workers.find((w) => w.name === answer.worker_id);
    if (owner === undefined) throw new Error(`unknown worker ${answer.worker_id}`);
    const refused = await owner.waitForEvent(
      (e) => e.event === 'session_refused' && e['field'] === 'tenant_id',
      'session_refused',
    );
    // The log names the mismatch and nothing the tenant said (no prompt, no session options).
    expect(refused).toEqual({
      event: 'session_refused',
      reason: 'invalid_request',
      subject: assignmentSubject(TENANT),
      field: 'tenant_id',
      expected: TENANT,
      received: 'e2e-other',
    });
    expect(JSON.stringify(owner.events)).not.toContain('secret prompt');
    expect(owner.events.some((e) => e['session_id'] === session_id)).toBe(false);
    // No lease was taken in either tenant's name.
    const leases = await new Kvm(driver).open(LEASE_BUCKET_NAME);
    expect(await leases.get(leaseKey('e2e-other', session_id))).toBeNull();
    expect(await leases.get(leaseKey(TENANT, session_id))).toBeNull();
  }, 60_000);

  it('drains on SIGTERM: the active turn ends with exactly one terminal and the worker exits 0', async () => {
    const session_id = `drain-${RUN}`;
    const session = await assignSession(link(), { tenant_id: TENANT, session_id });
    try {
      await session.feed({ at_ms: 0, kind: 'connection', text: 'connected' });
      await session.feed({ at_ms: 600, kind: 'speech_started' });
      await session.feed({ at_ms: 1000, kind: 'transcript_final', text: 'tell me a long story' });
      await session.waitFor((c) => c.some((s) => s.signal === 'turn_open'), 'turn_open');
      const owner = workers.find((w) => w.name === session.worker_id);
      if (owner === undefined) throw new Error(`unknown worker ${session.worker_id}`);
      owner.child.kill('SIGTERM');
      expect(await owner.exited).toEqual({ code: 0, signal: null });
      const closed = await owner.waitForEvent(
        (e) => e.event === 'session_closed' && e['session_id'] === session_id,
        'session_closed',
      );
      const published = closed['published'] as { ControlLane: number };
      await session.waitFor((c) => c.length >= published.ControlLane, 'ControlLane delivery');
      expect(owner.events.some((e) => e.event === 'drained')).toBe(true);
      expect(checkTurnInvariants(asOutputs(session.control), { complete: true })).toEqual([]);
      const terminals = terminalsPerTurn(session.control);
      expect(terminals.size).toBe(1);
      for (const count of terminals.values()) expect(count).toBe(1);
      expect(session.control.at(-1)?.signal).toBe('close');

      // The drained worker left the queue group: the next session goes to the other one.
      const next = await assignSession(link(), { tenant_id: TENANT, session_id: `after-${RUN}` });
      expect(next.worker_id).not.toBe(owner.name);
      await next.end();
      await next.close();
    } finally {
      await session.close();
    }
  }, 120_000);
});
