/**
 * Issue 10, item 2: a worker killed (`kill -9`) mid-reply leaves its turn open at the transport.
 * Whoever comes next must end it with exactly one terminal, then `close`, recorded as evidence:
 * the worker that takes the session over, or, when nobody takes it, a live worker once the
 * dead worker's lease has expired. Real worker processes, a nats-server of this file's own
 * (the lease bucket's TTL is fixed by whoever creates it first); bounded waits, no durations.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsBus, type NatsBus } from '../../adapters/bus/nats/index.ts';
import {
  openEvidenceReader,
  type EvidenceReader,
} from '../../adapters/evidence/jetstream/index.ts';
import type { ControlSignal } from '../../contracts/index.ts';
import type { MachineOutput } from '../../machines/index.ts';
import { checkTurnInvariants } from '../../machines/invariants.ts';
import { assignSession, type DrivenSession } from '../../tools/worker/index.ts';
import { startNatsServer, type NatsServerHandle } from '../harness/nats-server.ts';
import { spawnRspp, type WorkerProcess } from './worker-process.ts';

const TENANT = 'orphans';
const TTL_MS = 1000;
const TERMINALS = new Set(['commit', 'abort']);

const ofTurn = (control: readonly ControlSignal[], turn_id: string) =>
  control.filter((s) => s.turn_id === turn_id);
const asOutputs = (control: readonly ControlSignal[]): MachineOutput[] =>
  control.map((signal) => ({ type: 'control.signal', signal }));

describe('the turn of a worker killed mid-reply (issue 10, item 2)', () => {
  let server: NatsServerHandle | undefined;
  let natsUrl = '';
  const workers: WorkerProcess[] = [];
  let nc: NatsConnection | undefined;
  let bus: NatsBus | undefined;
  let evidence: EvidenceReader | undefined;
  let n = 0;
  const worker = async (name: string, extra: readonly string[] = []) => {
    const args = ['worker', '--nats-url', natsUrl, '--name', name, '--tenant', TENANT];
    const started = spawnRspp(name, [...args, '--lease-ttl-ms', String(TTL_MS), ...extra]);
    workers.push(started);
    await started.waitForEvent((e) => e.event === 'ready', 'ready');
    return started;
  };
  const link = () => {
    if (nc === undefined || bus === undefined) throw new Error('driver not connected');
    return { nc, bus };
  };

  /** Opens a turn on a fresh worker (no reaper of its own), then kills it mid-reply. */
  async function killMidReply(name: string): Promise<{ first: DrivenSession; turn_id: string }> {
    const session_id = `orphan-${String(process.pid)}-${String((n += 1))}`;
    const a = await worker(name, ['--reap-orphans-every-ms', '0']);
    const first = await assignSession(link(), { tenant_id: TENANT, session_id });
    // The only live worker of the queue group: each test stops the workers it started.
    expect(first.worker_id).toBe(name);
    await first.feed({ at_ms: 0, kind: 'transcript_final', text: 'tell me a long story' });
    await first.waitFor((c) => c.some((s) => s.signal === 'turn_open'), 'turn_open');
    a.kill(); // kill -9: no drain, no release; the lease runs out on its own
    await a.exited;
    const opened = first.control.find((s) => s.signal === 'turn_open');
    if (opened?.turn_id === undefined) throw new Error('turn_open without a turn id');
    return { first, turn_id: opened.turn_id };
  }

  /** The transport saw exactly one terminal then `close` for the turn; the evidence holds both. */
  async function expectClosedOnce(first: DrivenSession, turn_id: string): Promise<void> {
    await first.waitFor(
      (c) => ofTurn(c, turn_id).some((s) => s.signal === 'close'),
      `close of ${turn_id}`,
    );
    const seen = ofTurn(first.control, turn_id);
    const terminals = seen.filter((s) => TERMINALS.has(s.signal));
    expect(terminals).toHaveLength(1);
    expect(seen.filter((s) => s.signal === 'close')).toHaveLength(1);
    expect(seen.at(-1)?.signal).toBe('close');
    if (terminals[0]?.signal === 'abort') expect(terminals[0].reason).toBe('authority_loss');
    expect(checkTurnInvariants(asOutputs(seen), { complete: true })).toEqual([]);
    const stored = (await evidence?.session(TENANT, first.session_id)) ?? [];
    const recorded = stored
      .map((r) => r.document as ControlSignal)
      .filter((d) => d.turn_id === turn_id);
    expect(recorded.map((d) => d.event_id)).toEqual(
      expect.arrayContaining([terminals[0]?.event_id, seen.at(-1)?.event_id]),
    );
  }

  beforeAll(async () => {
    server = await startNatsServer();
    natsUrl = server.url;
    nc = await connect({ servers: natsUrl, name: 'orphans-driver' });
    bus = await createNatsBus({ servers: natsUrl, name: 'orphans-driver-bus' });
    evidence = await openEvidenceReader({ nc });
  });

  afterAll(async () => {
    await bus?.close();
    await nc?.close();
    for (const w of workers) w.kill();
    await Promise.all(workers.map((w) => w.exited));
    await server?.dispose();
  });

  it('is closed by the worker that takes the session over', async () => {
    const { first, turn_id } = await killMidReply('orphans-a');
    try {
      // No reaper: the takeover alone must close the turn.
      const b = await worker('orphans-b', ['--reap-orphans-every-ms', '0']);
      const second = await assignSession(link(), {
        tenant_id: TENANT,
        session_id: first.session_id,
        attempts: 60,
      });
      try {
        expect(second.authority_epoch).toBeGreaterThan(first.authority_epoch);
        await expectClosedOnce(first, turn_id);
        await b.waitForEvent(
          (e) =>
            e.event === 'orphan_turn_closed' && e['turn_id'] === turn_id && e['by'] === 'takeover',
          'orphan_turn_closed by takeover',
        );
      } finally {
        await second.close();
        b.kill();
        await b.exited;
      }
    } finally {
      await first.close();
    }
  }, 60_000);

  it('is closed by a live worker once the lease expired with no taker', async () => {
    const { first, turn_id } = await killMidReply('orphans-c');
    try {
      const d = await worker('orphans-d', ['--reap-orphans-every-ms', String(TTL_MS / 2)]);
      await expectClosedOnce(first, turn_id);
      await d.waitForEvent(
        (e) => e.event === 'orphan_turn_closed' && e['turn_id'] === turn_id && e['by'] === 'reaper',
        'orphan_turn_closed by reaper',
      );
    } finally {
      await first.close();
    }
  }, 60_000);
});
