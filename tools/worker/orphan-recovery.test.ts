import { describe, expect, it } from 'vitest';
import { buildSignal } from '../../actors/identity/stamp.ts';
import { createManualClock } from '../../actors/edges/index.ts';
import { createMemoryLeases } from '../../adapters/lease/memory/index.ts';
import type { StoredEvidence } from '../../adapters/evidence/jetstream/index.ts';
import type {
  BusEnvelope,
  BusPort,
  ControlSignal,
  EvidenceSinkPort,
} from '../../contracts/index.ts';
import type { EvidenceDocument } from '../../contracts/internal.ts';
import { createEvidenceTap } from './evidence-tap.ts';
import {
  closeOrphansOnTakeover,
  reapOrphans,
  startOrphanReaper,
  type ReaperDeps,
} from './orphan-recovery.ts';

const T = 'tenant-x';
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const sig = (
  session_id: string,
  turn: string,
  epoch: number,
  ordinal: number,
  signal: 'turn_open' | 'close' | 'playback_started',
): ControlSignal =>
  buildSignal(
    {
      session_id,
      turn_id: turn,
      pipeline_version: 'pipeline-v1',
      authority_epoch: epoch,
      ordinal,
      runtime_ms: ordinal,
      wall_ms: ordinal,
    },
    { signal, emitted_by: signal === 'playback_started' ? 'RK-22' : 'RK-03' },
  );

/** A reaper's world: an evidence stream in memory, memory leases, claims, and what it published. */
function world(stored: Record<string, EvidenceDocument[]>) {
  let now = 0;
  const leases = createMemoryLeases({ ttlMs: 1000, now: () => now });
  const published: ControlSignal[] = [];
  const logs: Readonly<Record<string, unknown>>[] = [];
  const read: string[] = [];
  const claimed = new Set<string>();
  const evidence = {
    session: (tenant_id: string, session_id: string): Promise<StoredEvidence[]> => {
      read.push(session_id);
      const docs = stored[session_id] ?? [];
      return Promise.resolve(
        docs.map((document, i) => ({ tenant_id, session_id, seq: i + 1, document })),
      );
    },
    latest: (): Promise<StoredEvidence[]> =>
      Promise.resolve(
        Object.entries(stored).flatMap(([session_id, docs]) => {
          const document = docs.at(-1);
          return document === undefined
            ? []
            : [{ tenant_id: T, session_id, seq: docs.length, document }];
        }),
      ),
  };
  const deps: ReaperDeps = {
    evidence,
    leases,
    claim: (tenant_id, session_id, turn_id) => {
      const key = `${tenant_id}/${session_id}/${turn_id}`;
      if (claimed.has(key)) return Promise.resolve(false);
      claimed.add(key);
      return Promise.resolve(true);
    },
    publish: (_tenant, signal) => {
      published.push(signal);
      return Promise.resolve();
    },
    wallNow: () => 42,
    log: (event) => logs.push(event),
  };
  return { deps, leases, published, logs, read, claimed, advance: (ms: number) => (now += ms) };
}

describe('reapOrphans', () => {
  it('closes the open turn of a session whose lease lapsed, once, by claim', async () => {
    const w = world({ s1: [sig('s1', 'turn-1-e3', 3, 1, 'turn_open')] });
    expect(await reapOrphans(w.deps)).toBe(1);
    expect(w.published.map((s) => [s.signal, s.turn_id, s.authority_epoch])).toEqual([
      ['deauthorized_drain', 'turn-1-e3', 3],
      ['abort', 'turn-1-e3', 3],
      ['close', 'turn-1-e3', 3],
    ]);
    expect(w.logs).toContainEqual(
      expect.objectContaining({ event: 'orphan_turn_closed', turn_id: 'turn-1-e3', by: 'reaper' }),
    );
    // A second reaper (same claims) finds the claim taken and publishes nothing.
    expect(await reapOrphans(w.deps)).toBe(0);
    expect(w.published).toHaveLength(3);
  });

  it('leaves sessions with a live lease to their holder and skips sessions whose last record is a close', async () => {
    const w = world({
      held: [sig('held', 'turn-1-e3', 3, 1, 'turn_open')],
      done: [sig('done', 'turn-1-e3', 3, 1, 'turn_open'), sig('done', 'turn-1-e3', 3, 2, 'close')],
    });
    await w.leases.lease(T, 'held').acquire('w9');
    expect(await reapOrphans(w.deps)).toBe(0);
    expect(w.published).toEqual([]);
    expect(w.read).toEqual([]);
  });
});

describe('closeOrphansOnTakeover', () => {
  it('closes the turns of older epochs only, before the new placement opens', async () => {
    const w = world({
      s1: [sig('s1', 'turn-1-e3', 3, 1, 'turn_open'), sig('s1', 'turn-1-e9', 9, 1, 'turn_open')],
    });
    expect(await closeOrphansOnTakeover(w.deps, T, 's1', 9)).toBe(1);
    expect(new Set(w.published.map((s) => s.turn_id))).toEqual(new Set(['turn-1-e3']));
    expect(w.logs).toContainEqual(expect.objectContaining({ by: 'takeover', authority_epoch: 3 }));
  });
});

describe('startOrphanReaper', () => {
  it('runs a round every period, counted from the end of the last, and stops', async () => {
    const w = world({});
    let rounds = 0;
    const clock = createManualClock();
    const reaper = startOrphanReaper(
      {
        ...w.deps,
        evidence: { ...w.deps.evidence, latest: () => ((rounds += 1), Promise.resolve([])) },
      },
      500,
      clock,
    );
    clock.advance(499);
    expect(rounds).toBe(0);
    clock.advance(1);
    await settle();
    clock.advance(500);
    await settle();
    expect(rounds).toBe(2);
    await reaper.stop();
    clock.advance(5000);
    await settle();
    expect(rounds).toBe(2);
  });

  it('logs a failed round and keeps going', async () => {
    const w = world({});
    const clock = createManualClock();
    const reaper = startOrphanReaper(
      {
        ...w.deps,
        evidence: { ...w.deps.evidence, latest: () => Promise.reject(new Error('no stream')) },
      },
      100,
      clock,
    );
    clock.advance(100);
    await settle();
    clock.advance(100);
    await settle();
    await reaper.stop();
    expect(w.logs.filter((e) => e['event'] === 'orphan_reap_failed')).toHaveLength(2);
  });
});

describe('createEvidenceTap', () => {
  it('offers each lifecycle signal to the evidence sink before publishing it, and nothing else', async () => {
    const order: string[] = [];
    const sink = {
      offer: (document: EvidenceDocument) => {
        order.push(`evidence ${'signal' in document ? document.signal : '?'}`);
        return { accepted: true as const };
      },
    } as unknown as EvidenceSinkPort;
    const bus = {
      kind: 'nats',
      publish: (envelope: BusEnvelope) => {
        order.push(`publish ${String(envelope.record.signal)}`);
        return Promise.resolve();
      },
    } as unknown as BusPort;
    const tap = createEvidenceTap({ bus, sinkFor: () => sink, onRefused: () => undefined });
    for (const signal of ['turn_open', 'playback_started', 'close'] as const) {
      await tap.publish({ tenant_id: T, record: sig('s1', 'turn-1-e3', 3, 1, signal) });
    }
    expect(order).toEqual([
      'evidence turn_open',
      'publish turn_open',
      'publish playback_started',
      'evidence close',
      'publish close',
    ]);
  });
});
