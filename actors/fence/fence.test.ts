import { afterEach, describe, expect, it } from 'vitest';
import type { ControlSignal } from '../../contracts/index.ts';
import { createManualClock, createSignalStamper, type EdgeRecord } from '../edges/index.ts';
import {
  IDS,
  describeSignal,
  record,
  recordProblems,
  signalLog,
  type SignalLog,
} from '../edges/test-kit.ts';
import { createCancellationManager } from './cancellation-manager.ts';
import { EgressFence, type EgressDecision, type FenceDiagnostic } from './egress-fence.ts';

const logs: SignalLog[] = [];
afterEach(() => {
  for (const log of logs.splice(0)) expect(log.problems).toEqual([]);
});

function setup() {
  const clock = createManualClock({ startMs: 1000 });
  const log = signalLog();
  logs.push(log);
  const diagnostics: FenceDiagnostic[] = [];
  const listeners: ((s: ControlSignal) => void)[] = [];
  const manager = createCancellationManager({
    session_id: IDS.session_id,
    authority_epoch: IDS.epoch,
    clock,
    stamp: createSignalStamper(
      { session_id: IDS.session_id, pipeline_version: 'pipeline-v1' },
      clock,
    ),
    emit: (s) => {
      log.emit(s);
      for (const l of listeners) l(s);
    },
    onDiagnostic: (d) => diagnostics.push(d),
  });
  // The transport: only records the fence accepts reach it.
  const transport: number[] = [];
  const egress = (rec: EdgeRecord): EgressDecision => {
    const decision = manager.fence.decide(rec);
    if (decision.kind === 'accepted') transport.push(rec.runtime_sequence);
    return decision;
  };
  return { clock, log, manager, diagnostics, transport, egress, listeners };
}

describe('CancellationManager cancel + egress fence', () => {
  it('accepts output before the cancel and refuses it after, in the same tick', () => {
    const t = setup();
    t.manager.openTurn('turn-1');
    expect(t.egress(record(1)).kind).toBe('accepted');
    expect(t.manager.cancel({ scope: 'turn', turn_id: 'turn-1', via: 'barge_in' })).toEqual({
      accepted: true,
      at_ms: 1000,
    });
    const late = t.egress(record(2));
    expect(late.kind).toBe('fenced');
    expect(t.transport).toEqual([1]);
    if (late.kind !== 'fenced') throw new Error('expected fenced');
    expect(late.record.late_after_cancel).toBe(true);
    expect(recordProblems(late.record)).toEqual([]);
    expect(late.diagnostic).toMatchObject({ code: 'late_after_cancel', turn_id: 'turn-1' });
    expect(t.log.trace()).toEqual([
      'output_accepted',
      'barge_in',
      'cancel',
      'playback_cancelled',
      'playback_cancelled',
    ]);
    expect(t.log.signals[0]).toMatchObject({ emitted_by: 'RK-22', reason: 'output_accepted' });
    expect(t.log.signals[2]).toMatchObject({
      emitted_by: 'RK-16',
      scope: 'turn',
      turn_id: 'turn-1',
    });
    expect(t.log.signals[4]).toMatchObject({ emitted_by: 'RK-22', reason: 'cancel_fence_applied' });
    expect(t.manager.markers('turn-1')).toMatchObject({
      late_provider_output_dropped_count: 1,
      accepted_output_count: 1,
    });
  });

  it('lets zero chunks through once cancel returns, even from reactions inside the cancel', () => {
    const t = setup();
    const turn = t.manager.openTurn('turn-1');
    const inv = t.manager.invocation('turn-1', 'tts', 'inv-1');
    let seq = 10;
    const decisions: string[] = [];
    // A provider that races one more chunk out when aborted, and a subscriber that reacts to
    // the cancel signal by emitting output: both run synchronously inside cancel().
    inv.signal.addEventListener('abort', () => decisions.push(t.egress(record(seq++)).kind));
    t.listeners.push((s) => {
      if (s.signal === 'cancel') decisions.push(t.egress(record(seq++)).kind);
    });
    t.manager.cancel({ scope: 'turn', turn_id: 'turn-1' });
    for (let i = 0; i < 3; i += 1) decisions.push(t.egress(record(seq++)).kind);
    expect(turn.signal.aborted && inv.signal.aborted).toBe(true);
    expect(decisions).toEqual(['fenced', 'fenced', 'fenced', 'fenced', 'fenced']);
    expect(t.transport).toEqual([]);
    expect(t.manager.fence.lateProviderOutputDroppedCount).toBe(5);
    expect(t.diagnostics).toHaveLength(5);
    // No output was accepted before, so there is no TTS flush marker.
    expect(t.log.trace().filter((s) => s === 'playback_cancelled')).toHaveLength(5);
    expect(t.log.trace()[0]).toBe('cancel');
  });

  it('fences before the terminal: fence time <= sent time, ack recorded later', () => {
    const t = setup();
    t.manager.openTurn('turn-1');
    t.manager.cancel({ scope: 'turn', turn_id: 'turn-1' });
    t.clock.advance(30);
    t.manager.acknowledge('turn-1');
    t.clock.advance(5);
    t.manager.acknowledge('turn-1');
    const m = t.manager.markers('turn-1');
    expect(m).toMatchObject({
      fence_cause: 'cancel',
      cancel_accepted_at_ms: 1000,
      cancel_fence_applied_at_ms: 1000,
      cancel_sent_at_ms: 1000,
      cancel_ack_at_ms: 1030,
    });
  });

  it('treats a repeated cancel as a no-op and an unknown turn as unknown', () => {
    const t = setup();
    t.manager.openTurn('turn-1');
    t.manager.cancel({ scope: 'turn', turn_id: 'turn-1', via: 'stop' });
    const before = t.log.trace();
    expect(before).toEqual(['stop', 'cancel']);
    expect(t.manager.cancel({ scope: 'turn', turn_id: 'turn-1' })).toEqual({
      accepted: false,
      reason: 'already_cancelled',
    });
    expect(t.manager.cancel({ scope: 'turn', turn_id: 'nope' })).toEqual({
      accepted: false,
      reason: 'unknown_scope',
    });
    expect(t.log.trace()).toEqual(before);
  });
});

describe('CancellationManager scopes', () => {
  it('cancels one node or invocation without fencing the turn', () => {
    const t = setup();
    t.manager.openTurn('turn-1');
    const stt = t.manager.node('turn-1', 'stt');
    const inv = t.manager.invocation('turn-1', 'tts', 'inv-1');
    const tts = t.manager.node('turn-1', 'tts');
    t.manager.cancel({
      scope: 'provider_invocation',
      turn_id: 'turn-1',
      node_id: 'tts',
      provider_invocation_id: 'inv-1',
    });
    expect([inv.signal.aborted, tts.signal.aborted]).toEqual([true, false]);
    t.manager.cancel({ scope: 'node', turn_id: 'turn-1', node_id: 'stt' });
    expect(stt.signal.aborted).toBe(true);
    expect(t.egress(record(1)).kind).toBe('accepted');
    expect(t.log.signals.slice(0, 2).map((s) => [s.signal, s.scope])).toEqual([
      ['cancel', 'provider_invocation'],
      ['cancel', 'node'],
    ]);
    expect(t.log.signals[0]).toMatchObject({ provider_invocation_id: 'inv-1', node_id: 'tts' });
  });

  it('cancelling the session fences and aborts every turn', () => {
    const t = setup();
    const a = t.manager.openTurn('turn-1');
    t.egress(record(1));
    t.manager.openTurn('turn-2');
    t.manager.cancel({ scope: 'session' });
    expect([a.signal.aborted, t.manager.session.cancelled]).toEqual([true, true]);
    expect(t.egress(record(2, { turn_id: 'turn-2' })).kind).toBe('fenced');
    expect(t.log.signals[1]).toMatchObject({
      signal: 'cancel',
      scope: 'session',
      event_scope: 'session',
    });
    expect(t.log.trace()).toEqual([
      'output_accepted',
      'cancel',
      'playback_cancelled',
      'playback_cancelled',
    ]);
    expect(t.manager.markers('turn-2')?.fence_cause).toBe('session_cancelled');
  });
});

describe('EgressFence epochs and refusals', () => {
  it('an epoch change fences and aborts open turns of the old epoch, without a cancel signal', () => {
    const t = setup();
    const turn = t.manager.openTurn('turn-1');
    expect(t.manager.changeEpoch(IDS.epoch)).toEqual([]);
    expect(t.manager.changeEpoch(IDS.epoch + 1)).toEqual(['turn-1']);
    expect((turn.signal.reason as { cause: string }).cause).toBe('authority_epoch_changed');
    const late = t.egress(record(1));
    expect(late.kind).toBe('fenced');
    expect(t.log.trace()).toEqual(['playback_cancelled']);
    t.manager.openTurn('turn-2');
    expect(t.egress(record(2, { turn_id: 'turn-2', epoch: IDS.epoch + 1 })).kind).toBe('accepted');
  });

  it('refuses stale-epoch, unknown-turn and closed-turn output without a delivery signal', () => {
    const t = setup();
    t.manager.openTurn('turn-1');
    expect(t.egress(record(1, { epoch: IDS.epoch - 1 })).kind).toBe('refused');
    expect(t.egress(record(2, { turn_id: 'ghost' })).kind).toBe('refused');
    t.manager.closeTurn('turn-1');
    expect(t.egress(record(3)).kind).toBe('refused');
    expect(t.diagnostics.map((d) => d.code)).toEqual([
      'authority_epoch_mismatch',
      'unknown_turn',
      'turn_closed',
    ]);
    expect(t.log.signals.map(describeSignal)).toEqual([]);
    expect(t.transport).toEqual([]);
  });

  it('passes ControlLane records through untouched', () => {
    const t = setup();
    t.manager.openTurn('turn-1');
    t.manager.cancel({ scope: 'turn', turn_id: 'turn-1' });
    expect(t.egress(record(1, { lane: 'ControlLane' })).kind).toBe('bypassed');
  });

  it('bounds remembered turns, forgetting the oldest closed one', () => {
    const clock = createManualClock();
    const manager = createCancellationManager({
      session_id: 's',
      authority_epoch: 1,
      clock,
      stamp: createSignalStamper({ session_id: 's', pipeline_version: 'p' }, clock),
      emit: () => undefined,
      maxTurns: 2,
    });
    manager.openTurn('a');
    manager.openTurn('b');
    expect(() => manager.openTurn('c')).toThrow(/more than 2 turns/);
    manager.closeTurn('a');
    manager.openTurn('c');
    expect(manager.markers('a')).toBeUndefined();
    expect(manager.markers('c')).toBeDefined();
  });

  it('forgets a turn on request: its later output is of an unknown turn', () => {
    const clock = createManualClock();
    const diagnostics: FenceDiagnostic[] = [];
    const fence = new EgressFence({
      session_id: IDS.session_id,
      clock,
      stamp: createSignalStamper({ session_id: IDS.session_id, pipeline_version: 'p' }, clock),
      emit: () => undefined,
      onDiagnostic: (d) => diagnostics.push(d),
    });
    fence.openTurn('turn-1', IDS.epoch);
    fence.apply('turn-1', 'cancel');
    fence.forget('turn-1');
    expect(fence.markers('turn-1')).toBeUndefined();
    expect(fence.decide(record(1)).kind).toBe('refused');
    expect(diagnostics.map((d) => d.code)).toEqual(['unknown_turn']);
  });
});
