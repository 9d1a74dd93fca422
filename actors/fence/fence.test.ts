import { describe, expect, it } from 'vitest';
import { createManualClock, type EdgeRecord } from '../edges/index.ts';
import { IDS, record, recordProblems } from '../edges/test-kit.ts';
import { EgressFence, type EgressDecision, type FenceDiagnostic } from './egress-fence.ts';

function setup(maxTurns?: number) {
  const clock = createManualClock({ startMs: 1000 });
  const diagnostics: FenceDiagnostic[] = [];
  const fence = new EgressFence({
    session_id: IDS.session_id,
    clock,
    onDiagnostic: (d) => diagnostics.push(d),
    ...(maxTurns === undefined ? {} : { maxTurns }),
  });
  // The transport: only records the fence accepts reach it.
  const transport: number[] = [];
  const egress = (rec: EdgeRecord): EgressDecision => {
    const decision = fence.decide(rec);
    if (decision.kind === 'accepted') transport.push(rec.runtime_sequence);
    return decision;
  };
  return { clock, fence, diagnostics, transport, egress };
}

describe('EgressFence (RK-22)', () => {
  it('accepts output before the fence and refuses it after, in the same tick', () => {
    const t = setup();
    t.fence.openTurn('turn-1', IDS.epoch);
    expect(t.egress(record(1)).kind).toBe('accepted');
    expect(t.fence.apply('turn-1', 'cancel')).toBe(true);
    const late = t.egress(record(2));
    expect(late.kind).toBe('fenced');
    expect(late.record).toMatchObject({ late_after_cancel: true, event_scope: 'turn' });
    expect(recordProblems(late.record)).toEqual([]);
    expect(t.transport).toEqual([1]);
    expect(t.diagnostics.map((d) => d.code)).toEqual(['late_after_cancel']);
    expect(t.fence.markers('turn-1')).toMatchObject({
      fence_cause: 'cancel',
      cancel_fence_applied_at_ms: 1000,
      accepted_output_count: 1,
      late_provider_output_dropped_count: 1,
    });
    expect(t.fence.lateProviderOutputDroppedCount).toBe(1);
  });

  it('keeps the first cause and records when the cancel was sent and acknowledged', () => {
    const t = setup();
    t.fence.openTurn('turn-1', IDS.epoch);
    t.fence.apply('turn-1', 'barge_in');
    t.clock.advance(3);
    expect(t.fence.apply('turn-1', 'cancel')).toBe(false);
    t.fence.markSent('turn-1');
    t.clock.advance(2);
    t.fence.markAck('turn-1');
    t.fence.markAck('turn-1');
    expect(t.fence.markers('turn-1')).toMatchObject({
      fence_cause: 'barge_in',
      cancel_fence_applied_at_ms: 1000,
      cancel_sent_at_ms: 1003,
      cancel_ack_at_ms: 1005,
    });
    expect(t.fence.isFenced('turn-1')).toBe(true);
    expect(t.fence.apply('ghost', 'cancel')).toBe(false);
  });

  it('refuses stale-epoch, unknown-turn and closed-turn output', () => {
    const t = setup();
    t.fence.openTurn('turn-1', IDS.epoch);
    expect(t.egress(record(1, { epoch: IDS.epoch - 1 })).kind).toBe('refused');
    expect(t.egress(record(2, { turn_id: 'ghost' })).kind).toBe('refused');
    t.fence.closeTurn('turn-1');
    expect(t.egress(record(3)).kind).toBe('refused');
    expect(t.diagnostics.map((d) => d.code)).toEqual([
      'authority_epoch_mismatch',
      'unknown_turn',
      'turn_closed',
    ]);
    expect(t.transport).toEqual([]);
  });

  it('lists the open turns of another epoch', () => {
    const t = setup();
    t.fence.openTurn('turn-1', IDS.epoch);
    t.fence.openTurn('turn-2', IDS.epoch + 1);
    expect(t.fence.turnsNotAt(IDS.epoch + 1)).toEqual(['turn-1']);
    t.fence.apply('turn-1', 'authority_epoch_changed');
    expect(t.fence.turnsNotAt(IDS.epoch + 1)).toEqual([]);
  });

  it('passes ControlLane records through untouched', () => {
    const t = setup();
    t.fence.openTurn('turn-1', IDS.epoch);
    t.fence.apply('turn-1', 'cancel');
    expect(t.egress(record(1, { lane: 'ControlLane' })).kind).toBe('bypassed');
  });

  it('bounds remembered turns, forgetting the oldest closed one', () => {
    const t = setup(2);
    t.fence.openTurn('a', 1);
    t.fence.openTurn('b', 1);
    expect(() => t.fence.openTurn('c', 1)).toThrow(/more than 2 turns/);
    t.fence.closeTurn('a');
    t.fence.openTurn('c', 1);
    expect(t.fence.markers('a')).toBeUndefined();
    expect(t.fence.markers('c')).toBeDefined();
  });

  it('forgets a turn on request: its later output is of an unknown turn', () => {
    const t = setup();
    t.fence.openTurn('turn-1', IDS.epoch);
    t.fence.apply('turn-1', 'cancel');
    t.fence.forget('turn-1');
    expect(t.fence.markers('turn-1')).toBeUndefined();
    expect(t.fence.decide(record(1)).kind).toBe('refused');
    expect(t.diagnostics.map((d) => d.code)).toEqual(['unknown_turn']);
  });
});
