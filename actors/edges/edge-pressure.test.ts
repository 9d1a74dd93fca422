import { afterEach, describe, expect, it } from 'vitest';
import type { BufferPolicy } from './config.ts';
import { EdgeConfigError } from './config.ts';
import { offerAll, policy, record, rig, type Rig, type RigOptions } from './test-kit.ts';

const rigs: Rig[] = [];
function track(r: Rig): Rig {
  rigs.push(r);
  return r;
}
afterEach(() => {
  for (const r of rigs.splice(0)) expect(r.log.problems).toEqual([]);
});

const take = (r: Rig, n: number) => Array.from({ length: n }, () => r.buffer.take());
const small = (high: number, low: number, items: number) =>
  ({ max_queue_items: items, watermarks: { queue_items: { high, low } } }) as const;
const audioDomain: BufferPolicy['sync_drop_policy'] = {
  policy: 'drop_with_discontinuity',
  scope: 'edge_local',
  group_by: 'sync_id',
  sync_domain: 'sync/sess-1/audio',
};

describe('EdgeBuffer watermarks (RK-13)', () => {
  it('asserts once per episode and releases only at the low mark (hysteresis)', () => {
    const r = track(rig(policy(small(4, 2, 8))));
    offerAll(r, [1, 2, 3, 4]);
    take(r, 1);
    offerAll(r, [5]);
    expect(r.log.trace()).toEqual(['watermark DataLane', 'flow_xoff DataLane']);
    take(r, 1);
    expect(r.log.trace()).toHaveLength(2);
    take(r, 1);
    expect(r.log.trace().at(-1)).toBe('flow_xon DataLane');
    offerAll(r, [6, 7]);
    expect(r.log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'flow_xon DataLane',
      'watermark DataLane',
      'flow_xoff DataLane',
    ]);
  });

  it('falls back to the plan lane watermark when the edge declares none, scaled to capacity', () => {
    const r = track(rig(policy({ max_queue_items: 4, watermarks: {} })));
    expect(r.buffer.configs.DataLane.watermarks).toEqual({ queue_items: { high: 4, low: 2 } });
    offerAll(r, [1, 2, 3]);
    expect(r.log.trace()).toEqual([]);
    offerAll(r, [4]);
    expect(r.log.trace()).toEqual(['watermark DataLane', 'flow_xoff DataLane']);
  });

  it('refuses a low mark at or above the high mark', () => {
    const bad = policy({ watermarks: { queue_items: { high: 4, low: 4 } } });
    expect(() => rig(bad)).toThrow(EdgeConfigError);
  });
});

describe('EdgeBuffer flow control (RK-14)', () => {
  const run = (options: RigOptions) => {
    const r = track(rig(policy(small(3, 1, 4)), options));
    offerAll(r, [1, 2, 3, 4, 5]);
    take(r, 3);
    return r;
  };

  it('credit mode withholds credit under pressure and grants the default amount 1', () => {
    const r = run({ mode: 'credit' });
    expect(r.log.trace()).toEqual([
      'watermark DataLane',
      'drop_notice DataLane 5-5',
      'credit_grant DataLane 1',
    ]);
  });

  it('credit mode grants the configured amount', () => {
    expect(
      run({ mode: 'credit', tuning: { creditAmount: 3 } })
        .log.trace()
        .at(-1),
    ).toBe('credit_grant DataLane 3');
  });

  it('hybrid mode sends xoff, then xon followed by a credit grant', () => {
    expect(run({ mode: 'hybrid' }).log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'drop_notice DataLane 5-5',
      'flow_xon DataLane',
      'credit_grant DataLane 1',
    ]);
  });
});

describe('EdgeBuffer edge pressure (F4)', () => {
  it('depth variant: watermark, xoff, drop_notice, xon with the edge id and lane', () => {
    const r = track(rig(policy(small(2, 0, 3))));
    offerAll(r, [1, 2, 3, 4]);
    take(r, 3);
    expect(r.log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'drop_notice DataLane 4-4',
      'flow_xon DataLane',
    ]);
    for (const s of r.log.signals)
      expect(s).toMatchObject({ edge_id: 'edge-a', target_lane: 'DataLane' });
  });

  it('time variant: the queue_ms watermark fires on time, then max_queue_ms expires the head', () => {
    const r = track(
      rig(policy({ max_queue_ms: 100, watermarks: { queue_ms: { high: 50, low: 10 } } })),
    );
    offerAll(r, [1]);
    r.clock.advance(49);
    expect(r.log.trace()).toEqual([]);
    r.clock.advance(1);
    expect(r.log.trace()).toEqual(['watermark DataLane', 'flow_xoff DataLane']);
    r.clock.advance(10);
    offerAll(r, [2]);
    r.clock.advance(40);
    expect(r.log.trace()).toHaveLength(2);
    r.clock.advance(1);
    expect(r.log.trace().at(-1)).toBe('drop_notice DataLane 1-1');
    const next = r.buffer.take();
    expect(next?.record.runtime_sequence).toBe(2);
    expect(next?.queued_ms).toBe(41);
    expect(r.log.trace().at(-1)).toBe('flow_xon DataLane');
    expect(r.buffer.stats().DataLane).toMatchObject({ expired: 1, pressure: 'clear' });
  });

  it('coalesces contiguous expired sequences into one drop_notice per range', () => {
    const r = track(rig(policy({ max_queue_ms: 100 })));
    offerAll(r, [10, 11, 12, 14]);
    r.clock.advance(100);
    expect(r.log.trace()).toEqual([]);
    r.clock.advance(1);
    expect(r.log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'drop_notice DataLane 10-12',
      'drop_notice DataLane 14-14',
      'flow_xon DataLane',
    ]);
  });
});

describe('EdgeBuffer sync loss (F5, minimal RK-15)', () => {
  it('an audio drop in a sync domain emits a discontinuity after its drop_notice', () => {
    const r = track(rig(policy({ ...small(2, 0, 2), sync_drop_policy: audioDomain })));
    offerAll(r, [1, 2, 3, 4], { audio: true });
    expect(r.log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'drop_notice DataLane 3-3',
      'discontinuity sync/sess-1/audio disc/edge-a/000000',
      'drop_notice DataLane 4-4',
      'discontinuity sync/sess-1/audio disc/edge-a/000001',
    ]);
    expect(r.log.signals[3]).toMatchObject({
      emitted_by: 'RK-15',
      reason: 'sync_domain_partial_loss',
    });
  });

  it('uses the record sync_domain, and emits nothing for text or no_sync edges', () => {
    const own = track(rig(policy(small(1, 0, 1))));
    offerAll(own, [1, 2], { audio: true, sync_domain: 'sync/own' });
    offerAll(own, [3]);
    expect(own.log.trace().filter((t) => t.startsWith('discontinuity'))).toEqual([
      'discontinuity sync/own disc/edge-a/000000',
    ]);
    const none = track(
      rig(
        policy({ ...small(1, 0, 1), sync_drop_policy: { policy: 'no_sync', scope: 'edge_local' } }),
      ),
    );
    offerAll(none, [1, 2], { audio: true, sync_domain: 'sync/own' });
    expect(none.log.trace().some((t) => t.startsWith('discontinuity'))).toBe(false);
  });

  it('refuses atomic_drop until the full RK-15 exists', () => {
    const atomic = policy({
      sync_drop_policy: { policy: 'atomic_drop', scope: 'edge_local', group_by: 'sync_id' },
    });
    expect(() => rig(atomic)).toThrow(/atomic_drop/);
  });
});

describe('EdgeBuffer lanes', () => {
  it('dequeues ControlLane before queued data and never expires or sheds it', () => {
    const r = track(rig(policy({ max_queue_items: 2, max_queue_ms: 50 })));
    offerAll(r, [1]);
    offerAll(r, [2, 3], { lane: 'ControlLane' });
    expect(offerAll(r, [4], { lane: 'ControlLane' })).toEqual(['rejected']);
    r.clock.advance(500);
    expect(take(r, 3).map((i) => i && `${i.lane}:${i.record.runtime_sequence}`)).toEqual([
      'ControlLane:2',
      'ControlLane:3',
      undefined,
    ]);
    expect(r.buffer.stats().ControlLane).toMatchObject({ rejected: 1, dropped: 0 });
    expect(r.log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'drop_notice DataLane 1-1',
      'flow_xon DataLane',
    ]);
  });

  it('applies the plan TelemetryLane watermark and drops telemetry after data is served', () => {
    const r = track(rig(policy({ max_queue_items: 4 })));
    offerAll(r, [1, 2, 3, 4, 5], { lane: 'TelemetryLane' });
    offerAll(r, [6]);
    expect(take(r, 2).map((i) => i?.lane)).toEqual(['DataLane', 'TelemetryLane']);
    expect(r.log.trace()).toHaveLength(3);
    take(r, 1);
    expect(r.log.trace()).toEqual([
      'watermark TelemetryLane',
      'flow_xoff TelemetryLane',
      'drop_notice TelemetryLane 5-5',
      'flow_xon TelemetryLane',
    ]);
  });

  it('flush discards queued items silently and close refuses later offers', () => {
    const r = track(rig(policy()));
    offerAll(r, [1, 2]);
    expect(r.buffer.close().map((rec) => rec.runtime_sequence)).toEqual([1, 2]);
    expect(offerAll(r, [3])).toEqual(['rejected']);
    expect(r.clock.pendingTimers()).toBe(0);
    expect(r.log.trace()).toEqual([]);
  });

  it('stamps contract-valid, turn-scoped signals with the plan epoch', () => {
    const r = track(rig(policy(small(1, 0, 1))));
    offerAll(r, [1, 2]);
    expect(r.log.signals.map((s) => [s.event_scope, s.turn_id, s.authority_epoch])).toEqual([
      ['turn', 'turn-1', 3],
      ['turn', 'turn-1', 3],
      ['turn', 'turn-1', 3],
    ]);
    expect(record(1).lane).toBe('DataLane');
  });
});
