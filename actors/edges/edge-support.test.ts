import { describe, expect, it } from 'vitest';
import { createManualClock } from './clock.ts';
import { resolveLaneConfigs } from './config.ts';
import { flowOnAssert, flowOnRelease } from './flow-control.ts';
import { coalesceSeqRanges } from './seq-range.ts';
import { createSignalStamper } from './stamp.ts';
import { plan, policy, signalProblems } from './test-kit.ts';

describe('createManualClock', () => {
  it('fires timers at their due time in (due, creation) order and never past the target', () => {
    const clock = createManualClock({ startMs: 100 });
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    const cancelled = clock.setTimeout(() => fired.push('x'), 5);
    clock.clearTimeout(cancelled);
    clock.advance(15);
    expect(fired).toEqual(['a@110']);
    clock.advance(100);
    expect(fired).toEqual(['a@110', 'b@120', 'c@120']);
    expect(clock.now()).toBe(215);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runs timers scheduled by a firing timer when they fall inside the same advance', () => {
    const clock = createManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 5);
    }, 5);
    clock.advance(10);
    expect(fired).toEqual([5, 10]);
  });

  it('bounds pending timers', () => {
    const clock = createManualClock({ maxTimers: 2 });
    clock.setTimeout(() => undefined, 1);
    clock.setTimeout(() => undefined, 1);
    expect(() => clock.setTimeout(() => undefined, 1)).toThrow(RangeError);
  });
});

describe('coalesceSeqRanges', () => {
  it('sorts, de-duplicates and coalesces contiguous runs', () => {
    expect(coalesceSeqRanges([9, 3, 4, 4, 5, 7, 0])).toEqual([
      { start: 0, end: 0 },
      { start: 3, end: 5 },
      { start: 7, end: 7 },
      { start: 9, end: 9 },
    ]);
    expect(coalesceSeqRanges([])).toEqual([]);
  });
});

describe('flow control modes', () => {
  it('maps each mode to its assert and release signals', () => {
    expect(flowOnAssert('signal').map((f) => f.signal)).toEqual(['flow_xoff']);
    expect(flowOnAssert('credit')).toEqual([]);
    expect(flowOnAssert('hybrid').map((f) => f.signal)).toEqual(['flow_xoff']);
    expect(flowOnRelease('signal', 1).map((f) => f.signal)).toEqual(['flow_xon']);
    expect(flowOnRelease('credit', 0)).toEqual([{ signal: 'credit_grant', amount: 1 }]);
    expect(flowOnRelease('hybrid', 2)).toEqual([
      { signal: 'flow_xon' },
      { signal: 'credit_grant', amount: 2 },
    ]);
  });
});

describe('resolveLaneConfigs', () => {
  const flow = plan({ default: policy() }).flow_control;

  it('resolves the simple-mode default into bounded lanes', () => {
    const lanes = resolveLaneConfigs('e', policy(), flow, { hasMerger: false });
    expect(lanes.DataLane).toMatchObject({
      strategy: 'drop',
      max_queue_items: 64,
      max_queue_ms: 300,
      max_queue_bytes: 262144,
      watermarks: { queue_items: { high: 48, low: 24 } },
      mode: 'signal',
    });
    expect(lanes.ControlLane).toMatchObject({ strategy: 'non_blocking_priority', watermarks: {} });
    expect(lanes.TelemetryLane).toMatchObject({
      strategy: 'best_effort_drop',
      watermarks: { queue_items: { high: 64, low: 32 } },
    });
  });

  it('names field, expectation and value of a bad bound', () => {
    expect(() =>
      resolveLaneConfigs('e', policy({ max_queue_items: 0 }), flow, { hasMerger: false }),
    ).toThrow('edge e: max_queue_items must be an integer >= 1, received 0');
  });

  it('requires max_block_time_ms when lane_handling blocks even if the strategy does not', () => {
    const p = policy({
      lane_handling: {
        DataLane: 'block',
        ControlLane: 'non_blocking_priority',
        TelemetryLane: 'drop',
      },
    });
    expect(() => resolveLaneConfigs('e', p, flow, { hasMerger: false })).toThrow(
      /max_block_time_ms/,
    );
  });
});

describe('createSignalStamper', () => {
  it('stamps RK-21 event ids and increasing sequences from one ordinal', () => {
    const clock = createManualClock({ startMs: 7, wallOffsetMs: 1000 });
    const stamp = createSignalStamper(
      { session_id: 'sess 1', pipeline_version: 'pipeline-v1' },
      clock,
    );
    const a = stamp({
      signal: 'flow_xon',
      emitted_by: 'RK-14',
      event_scope: 'turn',
      turn_id: 'turn/1',
      authority_epoch: 2,
      edge_id: 'e',
      target_lane: 'DataLane',
    });
    const b = stamp({
      signal: 'cancel',
      emitted_by: 'RK-16',
      event_scope: 'session',
      authority_epoch: 2,
      scope: 'session',
    });
    expect(a).toMatchObject({
      event_id: 'evt/sess_1/turn_1/000000',
      runtime_sequence: 0,
      runtime_timestamp_ms: 7,
      wall_clock_timestamp_ms: 1007,
    });
    expect(b).toMatchObject({ event_id: 'evt/sess_1/sess_1/000001', runtime_sequence: 1 });
    expect([...signalProblems(a), ...signalProblems(b)]).toEqual([]);
  });
});
