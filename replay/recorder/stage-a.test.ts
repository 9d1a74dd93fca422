import { describe, expect, it } from 'vitest';
import { createContractValidator, type ControlSignal } from '../../contracts/index.ts';
import { buildBaselineRecord } from './baseline.ts';
import { createStageARecorder } from './stage-a.ts';
import {
  admitDecision,
  attempt,
  commitFacts,
  EPOCH,
  PIPELINE,
  SESSION,
  signal,
} from './test-facts.ts';
import type { StageALimits, StageARecorderOptions } from './types.ts';

const validator = createContractValidator();

function recorder(
  limits: Partial<StageALimits> = {},
  options: Partial<StageARecorderOptions> = {},
) {
  return createStageARecorder({
    session_id: SESSION,
    pipeline_version: PIPELINE,
    validator,
    limits,
    ...options,
  });
}

const baseline = (turn = 'turn-1') => buildBaselineRecord(commitFacts(turn));
const commit = (turn: string, n: number) =>
  signal(turn, n, { signal: 'commit', emitted_by: 'RK-03' });
const abortT9 = (turn: string, n: number) =>
  signal(turn, n, {
    signal: 'abort',
    emitted_by: 'RK-03',
    reason: 'recording_evidence_unavailable',
  });
const close = (turn: string, n: number) =>
  signal(turn, n, { signal: 'close', emitted_by: 'RK-03' });

describe('createStageARecorder', () => {
  it('stores a complete baseline record and returns it as validated', () => {
    const r = recorder();
    const result = r.appendBaseline(baseline());
    expect(result).toEqual({ ok: true, record: baseline() });
    expect(r.entries().map((e) => e.kind)).toEqual(['baseline']);
    expect(r.stats().regions.baseline.size).toBe(1);
  });

  it('fails an incomplete baseline with the validator issues and leaves a failed-append marker', () => {
    const r = recorder();
    const { plan_hash: _omitted, ...incomplete } = baseline();
    const result = r.appendBaseline(incomplete, { request_id: 'turn-1/evidence/1', at_ms: 30 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe('incomplete_baseline');
    expect(result.issues.map((i) => i.message).join('\n')).toContain('plan_hash');
    expect(r.entries()).toEqual([
      {
        seq: 1,
        kind: 'append_failed',
        record: {
          session_id: SESSION,
          turn_id: 'turn-1',
          request_id: 'turn-1/evidence/1',
          reason: 'incomplete_baseline',
          at_ms: 30,
        },
      },
    ]);
    expect(r.stats().baseline_failures).toBe(1);
  });

  it('fails a semantically invalid baseline (a tag without a redaction decision)', () => {
    const r = recorder();
    const record = { ...baseline(), payload_tags: ['text_raw', 'metadata', 'PII', 'PHI'] };
    const result = r.appendBaseline(record);
    expect(result.ok === false && result.reason).toBe('incomplete_baseline');
  });

  it('fails every baseline append under fault injection, complete or not', () => {
    const r = recorder({}, { failBaselineAppends: true });
    const result = r.appendBaseline(baseline());
    expect(result).toEqual({ ok: false, reason: 'fault_injected', issues: [] });
    expect(r.entries().map((e) => e.kind)).toEqual(['append_failed']);
    // Terminal markers are not affected by the fault: T9 stays recordable.
    expect(r.appendSignal(abortT9('turn-1', 5))).toEqual({ ok: true, region: 'baseline' });
  });

  it('keeps one baseline per turn and only records of its own session', () => {
    const r = recorder();
    expect(r.appendBaseline(baseline()).ok).toBe(true);
    const again = r.appendBaseline(baseline());
    expect(again.ok === false && again.reason).toBe('duplicate_baseline');
    const other = r.appendBaseline({ ...baseline('turn-2'), session_id: 'sess-2' });
    expect(other.ok === false && other.reason).toBe('session_mismatch');
    expect(r.entries(['baseline'])).toHaveLength(1);
  });

  it('still accepts terminal markers when detail is full', () => {
    const r = recorder({ detail: 2 });
    r.appendSignal(signal('turn-1', 1));
    r.appendDecision(admitDecision('turn-1'));
    expect(r.appendSignal(signal('turn-1', 3)).ok).toBe(false);
    expect(r.appendBaseline(baseline()).ok).toBe(true);
    expect(r.appendSignal(commit('turn-1', 4))).toEqual({ ok: true, region: 'baseline' });
    expect(r.appendSignal(close('turn-1', 5))).toEqual({ ok: true, region: 'baseline' });
  });

  it('keeps the reserve for terminal markers: a full baseline area fails, T9 markers still fit', () => {
    const r = recorder({ baseline: 5, baseline_reserve: 3 });
    expect(r.appendBaseline(baseline('turn-1')).ok).toBe(true);
    expect(r.appendBaseline(baseline('turn-2')).ok).toBe(true);
    const full = r.appendBaseline(baseline('turn-3'));
    expect(full.ok === false && full.reason).toBe('baseline_region_full');
    // The failed-append marker took one reserved slot; abort and close take the other two.
    expect(r.appendSignal(abortT9('turn-3', 7)).ok).toBe(true);
    expect(r.appendSignal(close('turn-3', 8)).ok).toBe(true);
    expect(r.entries().map((e) => e.kind)).toEqual([
      'baseline',
      'baseline',
      'append_failed',
      'terminal_signal',
      'terminal_signal',
    ]);
    const exhausted = r.appendSignal(close('turn-4', 9));
    expect(exhausted).toEqual({ ok: false, reason: 'baseline_reserve_exhausted', downgrade: null });
    expect(r.stats().regions.baseline).toEqual({ size: 5, capacity: 5, dropped: 1 });
  });

  it('refuses a terminal signal that is not contract-valid', () => {
    const r = recorder();
    const { reason: _reason, ...noReason } = abortT9('turn-1', 1);
    expect(r.appendSignal(noReason as ControlSignal)).toEqual({
      ok: false,
      reason: 'invalid_terminal_marker',
      downgrade: null,
    });
  });

  it('drops detail overflow newest-first and yields one downgrade per (session, turn)', () => {
    const r = recorder({ detail: 3, attempts: 1 });
    const results = [1, 2, 3, 4, 5].map((n) => r.appendSignal(signal('turn-1', n)));
    expect(results.map((x) => x.ok)).toEqual([true, true, true, false, false]);
    const first = results[3]!;
    const downgrade = first.ok ? null : first.downgrade;
    expect(downgrade).toMatchObject({
      signal: 'recording_level_downgraded',
      emitted_by: 'OR-02',
      reason: 'stage_a_detail_overflow',
      event_scope: 'turn',
      turn_id: 'turn-1',
      session_id: SESSION,
      authority_epoch: EPOCH,
      runtime_timestamp_ms: 104,
      event_id: `evt/${SESSION}/turn-1/or-02/recording_level_downgraded`,
    });
    expect(validator.validate('control_signal', downgrade)).toEqual({ valid: true });
    expect(results[4]).toEqual({ ok: false, reason: 'stage_a_detail_overflow', downgrade: null });
    // Attempts overflow of the same turn: dropped, no second downgrade.
    expect(r.appendAttempt(attempt('turn-1', 'inv-1', 1, 50)).ok).toBe(true);
    const attemptDrop = r.appendAttempt(attempt('turn-1', 'inv-1', 2, 60));
    expect(attemptDrop).toEqual({ ok: false, reason: 'stage_a_detail_overflow', downgrade: null });
    // Another turn gets its own downgrade; the stored entries are the first three, unchanged.
    const turn2 = r.appendDecision(admitDecision('turn-2'));
    expect(turn2.ok === false && turn2.downgrade?.turn_id).toBe('turn-2');
    expect(r.entries(['signal']).map((e) => e.kind === 'signal' && e.record.event_id)).toEqual(
      [1, 2, 3].map((n) => signal('turn-1', n).event_id),
    );
    expect(r.stats()).toMatchObject({ downgrades: 2 });
    expect(r.stats().regions.detail).toEqual({ size: 3, capacity: 3, dropped: 3 });
    expect(r.stats().regions.attempts).toEqual({ size: 1, capacity: 1, dropped: 1 });
  });

  it('drops the same entries and emits the same downgrades for the same append order', () => {
    const run = () => {
      const r = recorder({ detail: 2 });
      const downgrades = [3, 1, 2, 3, 2].map((t, n) => {
        const res = r.appendSignal(signal(`turn-${t}`, n + 1));
        return res.ok ? null : res.downgrade;
      });
      return { downgrades, entries: r.entries(), stats: r.stats() };
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(a.downgrades.filter((d) => d !== null).map((d) => d.turn_id)).toEqual([
      'turn-2',
      'turn-3',
    ]);
  });

  it('stamps a session-scoped downgrade for overflow outside any turn', () => {
    const r = recorder({ detail: 0 });
    const result = r.appendSignal(signal(undefined, 1));
    const downgrade = result.ok ? null : result.downgrade;
    expect(downgrade).toMatchObject({ event_scope: 'session', session_id: SESSION });
    expect(downgrade).not.toHaveProperty('turn_id');
    expect(validator.validate('control_signal', downgrade)).toEqual({ valid: true });
  });

  it('records a published downgrade beside the baseline even when detail is full', () => {
    const r = recorder({ detail: 0 });
    const result = r.appendSignal(signal('turn-1', 1));
    const downgrade = result.ok ? null : result.downgrade;
    expect(downgrade).not.toBeNull();
    expect(r.appendSignal(downgrade!)).toEqual({ ok: true, region: 'baseline' });
    expect(r.entries().map((e) => e.kind)).toEqual(['recording_signal']);
  });

  it('records invocation snapshots only when enabled', () => {
    const snapshot = {
      ...attempt('turn-1', 'inv-1', 1, 50),
      attempt_count: 1,
      final_attempt_latency_ms: 40,
      total_invocation_latency_ms: 40,
    };
    const { attempt: _n, attempt_latency_ms: _l, transport_sequence: _t, ...rest } = snapshot;
    const { runtime_sequence: _r, ...invocationSnapshot } = rest;
    expect(recorder().appendInvocationSnapshot(invocationSnapshot)).toEqual({
      ok: false,
      reason: 'region_disabled',
      downgrade: null,
    });
    const enabled = recorder({}, { invocationSnapshots: true });
    expect(enabled.appendInvocationSnapshot(invocationSnapshot)).toEqual({
      ok: true,
      region: 'invocation_snapshots',
    });
  });

  it('refuses detail of another session', () => {
    const r = recorder();
    const foreign = Object.assign(signal('turn-1', 1), { session_id: 'sess-2' });
    expect(r.appendSignal(foreign)).toEqual({
      ok: false,
      reason: 'session_mismatch',
      downgrade: null,
    });
  });

  it('drains the accepted prefix in append order and frees its slots', () => {
    const r = recorder({ detail: 2 });
    r.appendSignal(signal('turn-1', 1));
    r.appendBaseline(baseline());
    r.appendSignal(signal('turn-1', 2));
    expect(r.appendSignal(signal('turn-1', 3)).ok).toBe(false);
    const seen: string[] = [];
    const removed = r.drain((entry) => {
      seen.push(entry.kind);
      return entry.kind !== 'baseline';
    });
    expect(removed).toBe(1);
    expect(seen).toEqual(['signal', 'baseline']);
    expect(r.entries().map((e) => e.seq)).toEqual([2, 3]);
    expect(r.appendSignal(signal('turn-1', 4)).ok).toBe(true);
    expect(r.drain(() => true)).toBe(3);
    expect(r.stats().regions.detail.size).toBe(0);
  });

  it('rejects limits without room for one T9 in the reserve', () => {
    expect(() => recorder({ baseline_reserve: 2 })).toThrow(/limits\.baseline_reserve/);
    expect(() => recorder({ baseline: 3, baseline_reserve: 3 })).toThrow(
      /limits\.baseline_reserve/,
    );
    expect(() => recorder({ detail: -1 })).toThrow(/limits\.detail/);
  });
});
