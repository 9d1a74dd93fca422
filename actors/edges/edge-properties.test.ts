import { describe, expect, it } from 'vitest';
import type { ControlSignal } from '../../contracts/index.ts';
import type { BufferPolicy, FlowMode } from './config.ts';
import { joinMerger, policy, record, rig } from './test-kit.ts';

/** Deterministic LCG in [0, 1). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface RunResult {
  readonly signals: ControlSignal[];
  readonly problems: string[];
  readonly taken: number[];
  readonly remaining: number[];
  readonly offered: number[];
  readonly maxSeen: { items: number; bytes: number };
}

function run(p: BufferPolicy, mode: FlowMode, seed: number): RunResult {
  const r = rig(p, { mode, merger: joinMerger, tuning: { maxBlockedProducers: 4 } });
  const rnd = lcg(seed);
  const idToSeq = new Map<string, number>();
  const taken: number[] = [];
  const offered: number[] = [];
  const maxSeen = { items: 0, bytes: 0 };
  for (let op = 0; op < 400; op += 1) {
    const x = rnd();
    if (x < 0.55) {
      const seq = offered.length + 1;
      const rec = record(seq, { audio: rnd() < 0.3 });
      idToSeq.set(rec.event_id, seq);
      offered.push(seq);
      r.buffer.offer({ record: rec, payload: `p${seq}`, bytes: 1 + Math.floor(rnd() * 40) });
    } else if (x < 0.8) {
      const item = r.buffer.take();
      const ids = item?.record.merged_from_event_ids ?? (item ? [item.record.event_id] : []);
      for (const id of ids) taken.push(idToSeq.get(id) ?? -1);
    } else {
      r.clock.advance(Math.floor(rnd() * 30));
    }
    const stats = r.buffer.stats().DataLane;
    maxSeen.items = Math.max(maxSeen.items, stats.queued);
    maxSeen.bytes = Math.max(maxSeen.bytes, stats.bytes);
  }
  const remaining = r.buffer
    .close()
    .flatMap((rec) =>
      (rec.merged_from_event_ids ?? [rec.event_id]).map((id) => idToSeq.get(id) ?? -1),
    );
  return { signals: r.log.signals, problems: r.log.problems, taken, remaining, offered, maxSeen };
}

const STRATEGIES: readonly BufferPolicy['strategy'][] = [
  'drop',
  'merge',
  'sample',
  'latest_only',
  'block',
];
const MODES: readonly FlowMode[] = ['signal', 'credit', 'hybrid'];

const edgePolicy = (strategy: BufferPolicy['strategy']) =>
  policy({
    strategy,
    max_queue_items: 6,
    max_queue_ms: 60,
    max_queue_bytes: 120,
    max_block_time_ms: 15,
    watermarks: { queue_items: { high: 4, low: 1 }, queue_ms: { high: 40, low: 5 } },
  });

describe('EdgeBuffer properties', () => {
  for (const strategy of STRATEGIES) {
    for (const mode of MODES) {
      it(`${strategy}/${mode}: bounded, lossless accounting, signal before action, valid`, () => {
        const p = edgePolicy(strategy);
        const res = run(p, mode, 7 + STRATEGIES.indexOf(strategy));
        expect(res.problems).toEqual([]);
        expect(res.maxSeen.items).toBeLessThanOrEqual(p.max_queue_items);
        expect(res.maxSeen.bytes).toBeLessThanOrEqual(p.max_queue_bytes);

        const dropped: number[] = [];
        let asserted = false;
        let xoffSent = false;
        let grantDue = false;
        for (const s of res.signals) {
          if (s.signal === 'watermark') {
            expect(asserted).toBe(false);
            asserted = true;
          } else if (s.signal === 'flow_xoff') {
            expect(mode).not.toBe('credit');
            xoffSent = true;
          } else if (s.signal === 'flow_xon') {
            expect(asserted && xoffSent).toBe(true);
            xoffSent = false;
            // Hybrid recovery is xon immediately followed by a credit grant.
            if (mode === 'hybrid') grantDue = true;
            else asserted = false;
          } else if (s.signal === 'credit_grant') {
            expect(mode === 'hybrid' ? grantDue : asserted).toBe(true);
            asserted = false;
            grantDue = false;
          } else if (s.signal === 'drop_notice' && s.seq_range) {
            // Superseded items of latest_only are not pressure drops.
            if (strategy !== 'latest_only') expect(asserted).toBe(true);
            for (let q = s.seq_range.start; q <= s.seq_range.end; q += 1) dropped.push(q);
          }
        }
        // Every offered item is delivered, dropped with a notice, or still held: exactly once.
        const all = [...res.taken, ...dropped, ...res.remaining].sort((a, b) => a - b);
        expect(all).toEqual(res.offered);
        expect(dropped.length).toBeGreaterThan(0);
      });
    }
  }

  it('produces byte-identical signals and deliveries for the same inputs', () => {
    for (const strategy of STRATEGIES) {
      const a = run(edgePolicy(strategy), 'hybrid', 99);
      const b = run(edgePolicy(strategy), 'hybrid', 99);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      expect(a.signals.length).toBeGreaterThan(0);
    }
  });
});
