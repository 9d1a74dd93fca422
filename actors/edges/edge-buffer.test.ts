import { afterEach, describe, expect, it } from 'vitest';
import type { BlockSettlement } from './blocked-producers.ts';
import { EdgeConfigError } from './config.ts';
import { joinMerger, offerAll, policy, recordProblems, record, rig, type Rig } from './test-kit.ts';

const rigs: Rig[] = [];
function track(r: Rig): Rig {
  rigs.push(r);
  return r;
}
afterEach(() => {
  for (const r of rigs.splice(0)) expect(r.log.problems).toEqual([]);
});

function drain(r: Rig): number[] {
  const out: number[] = [];
  for (let item = r.buffer.take(); item; item = r.buffer.take()) {
    out.push(item.record.runtime_sequence);
  }
  return out;
}

/** Lets promise callbacks of settled block waits run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const small = (high: number, low: number, items: number) =>
  ({ max_queue_items: items, watermarks: { queue_items: { high, low } } }) as const;

describe('EdgeBuffer strategy drop', () => {
  it('drops the newest offer once full, after watermark and xoff, and resumes at the low mark', () => {
    const r = track(rig(policy(small(3, 1, 4))));
    expect(offerAll(r, [1, 2, 3, 4, 5, 6])).toEqual([
      'queued',
      'queued',
      'queued',
      'queued',
      'dropped',
      'dropped',
    ]);
    expect(drain(r)).toEqual([1, 2, 3, 4]);
    expect(r.log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'drop_notice DataLane 5-5',
      'drop_notice DataLane 6-6',
      'flow_xon DataLane',
    ]);
    const notice = r.log.signals[2];
    expect(notice).toMatchObject({
      emitted_by: 'RK-12',
      reason: 'queue_pressure_drop',
      edge_id: 'edge-a',
      turn_id: 'turn-1',
    });
    expect(r.log.signals[0]).toMatchObject({ emitted_by: 'RK-13', reason: 'edge_watermark_high' });
    expect(r.log.signals[1]).toMatchObject({
      emitted_by: 'RK-14',
      reason: 'backpressure_asserted',
    });
    expect(r.buffer.stats().DataLane).toMatchObject({ dropped: 2, overflow: 2, queued: 0 });
  });

  it('enforces max_queue_bytes: an offer that would exceed it is dropped, a smaller one fits', () => {
    const r = track(rig(policy({ max_queue_bytes: 25 })));
    const offer = (seq: number, bytes: number) =>
      r.buffer.offer({ record: record(seq), payload: 'x', bytes }).kind;
    expect([offer(1, 10), offer(2, 10), offer(3, 10), offer(4, 5), offer(5, 26)]).toEqual([
      'queued',
      'queued',
      'dropped',
      'queued',
      'dropped',
    ]);
    expect(r.buffer.stats().DataLane.bytes).toBe(25);
    expect(r.log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'drop_notice DataLane 3-3',
      'drop_notice DataLane 5-5',
    ]);
    expect(drain(r)).toEqual([1, 2, 4]);
  });
});

describe('EdgeBuffer strategy merge', () => {
  it('folds overflow into the newest item with lineage, span and merged payload', () => {
    const r = track(rig(policy({ strategy: 'merge', ...small(2, 0, 2) }), { merger: joinMerger }));
    expect(offerAll(r, [1, 2, 3, 4])).toEqual(['queued', 'queued', 'merged', 'merged']);
    expect(r.buffer.take()?.record.runtime_sequence).toBe(1);
    const merged = r.buffer.take();
    expect(merged?.record).toMatchObject({
      event_id: 'mrg/edge-a/000000',
      merge_group_id: 'mrg/edge-a/000000',
      runtime_sequence: 4,
      merged_from_event_ids: [
        'evt/sess-1/turn-1/000002',
        'evt/sess-1/turn-1/000003',
        'evt/sess-1/turn-1/000004',
      ],
    });
    expect(merged?.merge_span).toEqual({ start: 2, end: 4 });
    expect(merged?.payload).toBe('p2 p3 p4');
    expect(recordProblems(merged?.record)).toEqual([]);
    expect(r.log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'flow_xon DataLane',
    ]);
  });

  it('orders sources by runtime_sequence, then event_id', () => {
    const r = track(rig(policy({ strategy: 'merge', ...small(1, 0, 1) }), { merger: joinMerger }));
    for (const [seq, id] of [
      [7, 'e-b'],
      [5, 'e-z'],
      [7, 'e-a'],
    ] as const) {
      r.buffer.offer({ record: record(seq, { event_id: id }), payload: id, bytes: 1 });
    }
    const merged = r.buffer.take();
    expect(merged?.record.merged_from_event_ids).toEqual(['e-z', 'e-a', 'e-b']);
    expect(merged?.record.runtime_sequence).toBe(7);
  });

  it('caps lineage at 64 sources, then drops the newest with a notice', () => {
    const r = track(rig(policy({ strategy: 'merge', ...small(1, 0, 1) }), { merger: joinMerger }));
    const seqs = Array.from({ length: 66 }, (_, i) => i + 1);
    const kinds = offerAll(r, seqs);
    expect(kinds.filter((k) => k === 'merged')).toHaveLength(63);
    expect(kinds.slice(64)).toEqual(['dropped', 'dropped']);
    const merged = r.buffer.take();
    expect(merged?.record.merged_from_event_ids).toHaveLength(64);
    expect(merged?.merge_span).toEqual({ start: 1, end: 64 });
    expect(recordProblems(merged?.record)).toEqual([]);
    expect(r.log.trace().slice(2)).toEqual([
      'drop_notice DataLane 65-65',
      'drop_notice DataLane 66-66',
      'flow_xon DataLane',
    ]);
  });

  it('refuses a merge edge without a payload merger at construction', () => {
    expect(() => rig(policy({ strategy: 'merge' }))).toThrow(EdgeConfigError);
  });

  it('merges audio before dropping it on a drop edge', () => {
    const r = track(rig(policy(small(2, 0, 2)), { merger: joinMerger }));
    expect(offerAll(r, [1, 2, 3], { audio: true })).toEqual(['queued', 'queued', 'merged']);
    expect(offerAll(r, [4])).toEqual(['dropped']);
    expect(r.log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'drop_notice DataLane 4-4',
    ]);
  });
});

describe('EdgeBuffer strategy sample', () => {
  it('keeps one offer in sampleEvery while pressure is asserted and drops at the bound', () => {
    const r = track(rig(policy({ strategy: 'sample', ...small(2, 0, 4) })));
    expect(offerAll(r, [1, 2, 3, 4, 5, 6, 7])).toEqual([
      'queued',
      'queued',
      'queued',
      'dropped',
      'queued',
      'dropped',
      'dropped',
    ]);
    expect(r.log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'drop_notice DataLane 4-4',
      'drop_notice DataLane 6-6',
      'drop_notice DataLane 7-7',
    ]);
    expect(drain(r)).toEqual([1, 2, 3, 5]);
  });
});

describe('EdgeBuffer strategy latest_only', () => {
  it('keeps only the newest item and notes each superseded one without asserting pressure', () => {
    const r = track(rig(policy({ strategy: 'latest_only' })));
    expect(offerAll(r, [1, 2, 3])).toEqual(['queued', 'queued', 'queued']);
    expect(drain(r)).toEqual([3]);
    expect(r.log.trace()).toEqual(['drop_notice DataLane 1-1', 'drop_notice DataLane 2-2']);
    expect(r.buffer.stats().DataLane.superseded).toBe(2);
  });
});

describe('EdgeBuffer strategy block', () => {
  const blocking = policy({ strategy: 'block', max_block_time_ms: 40, ...small(2, 0, 2) });

  it('parks a producer at most max_block_time_ms, then sheds its item with a notice', async () => {
    const r = track(rig(blocking));
    offerAll(r, [1, 2]);
    const outcome = r.buffer.offer({ record: record(3), payload: 'p3', bytes: 10 });
    expect(outcome.kind).toBe('blocked');
    let result: BlockSettlement | undefined;
    if (outcome.kind === 'blocked') void outcome.settled.then((s) => (result = s));
    r.clock.advance(39);
    await settle();
    expect(result).toBeUndefined();
    expect(r.buffer.stats().DataLane.blocked).toBe(1);
    r.clock.advance(1);
    await settle();
    expect(result).toBe('shed');
    expect(r.log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'drop_notice DataLane 3-3',
    ]);
    expect(r.buffer.stats().DataLane).toMatchObject({ blocked: 0, shed_after_block: 1 });
    expect(drain(r)).toEqual([1, 2]);
  });

  it('admits a parked producer in order when the consumer frees a slot', async () => {
    const r = track(rig(blocking));
    offerAll(r, [1, 2]);
    const outcome = r.buffer.offer({ record: record(3), payload: 'p3', bytes: 10 });
    r.clock.advance(10);
    expect(r.buffer.take()?.record.runtime_sequence).toBe(1);
    if (outcome.kind !== 'blocked') throw new Error('expected blocked');
    expect(await outcome.settled).toBe('admitted');
    r.clock.advance(100);
    expect(drain(r)).toEqual([2, 3]);
    expect(r.log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'flow_xon DataLane',
    ]);
  });

  it('sheds at once when the bounded wait list is full', () => {
    const r = track(rig(blocking, { tuning: { maxBlockedProducers: 1 } }));
    expect(offerAll(r, [1, 2, 3, 4])).toEqual(['queued', 'queued', 'blocked', 'dropped']);
    expect(r.log.trace().at(-1)).toBe('drop_notice DataLane 4-4');
  });

  it('refuses block without max_block_time_ms', () => {
    expect(() => rig(policy({ strategy: 'block' }))).toThrow(/max_block_time_ms/);
  });
});
