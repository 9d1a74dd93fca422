import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import { idempotencyKey } from './ids.ts';
import { buildOutcome, buildSignal, nonNegativeInt, type StampContext } from './stamp.ts';

const validator = createContractValidator();
const CTX: StampContext = {
  session_id: 'sess-1',
  turn_id: 'turn-1',
  pipeline_version: 'pipeline-v1',
  authority_epoch: 4,
  ordinal: 12,
  runtime_ms: 30.7,
  wall_ms: -5,
};

describe('buildSignal', () => {
  it('stamps a contract-valid, turn-scoped ControlLane signal with RK-21 ids', () => {
    const s = buildSignal(CTX, {
      signal: 'shed',
      emitted_by: 'RK-25',
      reason: 'scheduling_point_shed',
    });
    expect(validator.validate('control_signal', s)).toEqual({ valid: true });
    expect(s).toMatchObject({
      event_scope: 'turn',
      turn_id: 'turn-1',
      event_id: 'evt/sess-1/turn-1/000012',
      idempotency_key: idempotencyKey('sess-1', 'turn-1', 'evt/sess-1/turn-1/000012'),
      runtime_sequence: 12,
      runtime_timestamp_ms: 30,
      wall_clock_timestamp_ms: 0,
      authority_epoch: 4,
    });
  });

  it('is session-scoped without a turn', () => {
    const s = buildSignal(
      { ...CTX, turn_id: undefined },
      { signal: 'admit', emitted_by: 'RK-25', reason: 'r' },
    );
    expect(s.event_scope).toBe('session');
    expect('turn_id' in s).toBe(false);
    expect(validator.validate('control_signal', s)).toEqual({ valid: true });
  });
});

describe('buildOutcome', () => {
  it('adds the epoch only to authority outcomes or when asked', () => {
    const admit = buildOutcome(CTX, {
      outcome_kind: 'admit',
      phase: 'pre_turn',
      scope: 'turn',
      emitted_by: 'RK-25',
      reason: 'r',
    });
    expect('authority_epoch' in admit).toBe(false);
    expect(admit.event_id).toBe('evt/sess-1/turn-1/000012/admit');
    const stale = buildOutcome(CTX, {
      outcome_kind: 'stale_epoch_reject',
      phase: 'scheduling_point',
      scope: 'node_dispatch',
      emitted_by: 'RK-24',
      reason: 'authority_epoch_mismatch',
    });
    expect(stale.authority_epoch).toBe(4);
    for (const o of [admit, stale])
      expect(validator.validate('decision_outcome', o)).toEqual({ valid: true });
  });
});

describe('nonNegativeInt', () => {
  it('clamps to a non-negative safe integer', () => {
    expect([
      nonNegativeInt(3.9),
      nonNegativeInt(-1),
      nonNegativeInt('7'),
      nonNegativeInt(Infinity),
    ]).toEqual([3, 0, 0, 0]);
    expect(nonNegativeInt(2 ** 60)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
