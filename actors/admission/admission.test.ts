import { describe, expect, it } from 'vitest';
import {
  createContractValidator,
  type DecisionOutcome,
  type ControlSignal,
} from '../../contracts/index.ts';
import type { StampContext } from '../identity/stamp.ts';
import {
  ADMISSION_ALLOW_REASON,
  bundleFailureDecision,
  evaluatePreTurnAdmission,
  evaluateSchedulingPoint,
  hasCapacity,
  isSnapshotValid,
  planFailureDecision,
  shedDecision,
  shedScope,
} from './admission.ts';

const validator = createContractValidator();
const CTX: StampContext = {
  session_id: 'sess-1',
  turn_id: 'turn-1',
  pipeline_version: 'pipeline-v1',
  authority_epoch: 3,
  ordinal: 2,
  runtime_ms: 40,
  wall_ms: 1040,
};
const SNAPSHOT = { admission_policy_snapshot: 'admission-policy/v1' };

function valid(decision: { outcome: DecisionOutcome; signal: ControlSignal }): void {
  expect(validator.validate('decision_outcome', decision.outcome)).toEqual({ valid: true });
  expect(validator.validate('control_signal', decision.signal)).toEqual({ valid: true });
}

describe('RK-25 pre-turn admission', () => {
  it('admits with a valid snapshot and free capacity', () => {
    const r = evaluatePreTurnAdmission(
      { snapshot: SNAPSHOT, capacity: { active_turns: 0, max_active_turns: 1 } },
      CTX,
    );
    expect(r).toMatchObject({
      snapshot_valid: true,
      capacity_ok: true,
      outcome: {
        outcome_kind: 'admit',
        phase: 'pre_turn',
        scope: 'turn',
        emitted_by: 'RK-25',
        reason: ADMISSION_ALLOW_REASON,
      },
      signal: { signal: 'admit', event_scope: 'session', emitted_by: 'RK-25' },
    });
    valid(r);
  });

  it.each([
    ['missing', undefined],
    ['empty', { admission_policy_snapshot: ' ' }],
    ['stale', { ...SNAPSHOT, stale: true }],
    ['incompatible', { ...SNAPSHOT, compatible: false }],
  ])('defers a %s snapshot with snapshot_invalid_or_missing (default)', (_name, snapshot) => {
    const r = evaluatePreTurnAdmission({ snapshot }, CTX);
    expect(r.snapshot_valid).toBe(false);
    expect(r.outcome).toMatchObject({
      outcome_kind: 'defer',
      reason: 'snapshot_invalid_or_missing',
    });
    valid(r);
  });

  it('rejects an invalid snapshot when configured', () => {
    const r = evaluatePreTurnAdmission({}, CTX, { snapshot_invalid: 'reject' });
    expect(r.outcome).toMatchObject({
      outcome_kind: 'reject',
      reason: 'snapshot_invalid_or_missing',
    });
  });

  it('rejects (default) or defers when capacity is exhausted', () => {
    const view = { snapshot: SNAPSHOT, capacity: { active_turns: 2, max_active_turns: 2 } };
    const reject = evaluatePreTurnAdmission(view, CTX);
    expect(reject).toMatchObject({
      capacity_ok: false,
      outcome: { outcome_kind: 'reject', reason: 'admission_capacity_reject' },
    });
    const defer = evaluatePreTurnAdmission(view, CTX, { capacity: 'defer' });
    expect(defer.outcome).toMatchObject({
      outcome_kind: 'defer',
      reason: 'admission_capacity_defer',
    });
    valid(reject);
    valid(defer);
  });

  it('checks the snapshot before capacity', () => {
    const r = evaluatePreTurnAdmission({ capacity: { active_turns: 9, max_active_turns: 1 } }, CTX);
    expect(r.outcome.reason).toBe('snapshot_invalid_or_missing');
  });

  it('scopes the outcome to the session when no turn is known', () => {
    const r = evaluatePreTurnAdmission({ snapshot: SNAPSHOT }, { ...CTX, turn_id: undefined });
    expect(r.outcome.scope).toBe('session');
    valid(r);
  });

  it('reports bundle and plan failures with their reasons', () => {
    const bundle = bundleFailureDecision('defer', CTX);
    const plan = planFailureDecision('reject', CTX);
    expect(bundle.outcome).toMatchObject({
      outcome_kind: 'defer',
      reason: 'turn_start_bundle_resolution_failed',
    });
    expect(plan.outcome).toMatchObject({
      outcome_kind: 'reject',
      reason: 'plan_materialization_failed',
    });
    valid(bundle);
    valid(plan);
  });

  it('treats an absent capacity as unlimited and a non-finite one as full', () => {
    expect(hasCapacity(undefined)).toBe(true);
    expect(hasCapacity({ active_turns: 1, max_active_turns: Number.NaN })).toBe(false);
    expect(isSnapshotValid({})).toBe(false);
  });
});

describe('RK-25 scheduling-point shed', () => {
  it.each(['edge_enqueue', 'edge_dequeue', 'node_dispatch'] as const)('sheds at %s', (scope) => {
    const d = shedDecision(scope, CTX, { edge_id: 'stt->llm' });
    expect(d.outcome).toMatchObject({
      outcome_kind: 'shed',
      phase: 'scheduling_point',
      scope,
      emitted_by: 'RK-25',
      reason: 'scheduling_point_shed',
      turn_id: 'turn-1',
    });
    expect(d.signal).toMatchObject({
      signal: 'shed',
      event_scope: 'turn',
      edge_id: 'stt->llm',
      reason: 'scheduling_point_shed',
    });
    valid(d);
  });

  it.each(['turn', 'pre_turn', '', 42, undefined])('maps bad scope %s to edge_enqueue', (scope) => {
    expect(shedScope(scope)).toBe('edge_enqueue');
    const d = shedDecision(scope, CTX);
    expect(d.outcome.scope).toBe('edge_enqueue');
    valid(d);
  });

  it('sheds only at or above the limit and never on ControlLane', () => {
    const load = {
      lane: 'DataLane',
      scope: 'node_dispatch',
      queue_depth: 7,
      max_queue_depth: 8,
      node_id: 'llm',
    } as const;
    expect(evaluateSchedulingPoint(load, CTX)).toEqual({ action: 'admit' });
    const shed = evaluateSchedulingPoint({ ...load, queue_depth: 8 }, CTX);
    expect(shed).toMatchObject({
      action: 'shed',
      outcome: { scope: 'node_dispatch' },
      signal: { node_id: 'llm' },
    });
    expect(evaluateSchedulingPoint({ ...load, lane: 'ControlLane', queue_depth: 99 }, CTX)).toEqual(
      { action: 'admit' },
    );
    const { max_queue_depth: _unused, ...unlimited } = load;
    expect(evaluateSchedulingPoint({ ...unlimited, queue_depth: 99 }, CTX)).toEqual({
      action: 'admit',
    });
  });

  it('scopes the shed signal to the session without a turn', () => {
    const d = shedDecision('edge_enqueue', { ...CTX, turn_id: undefined });
    expect(d.signal.event_scope).toBe('session');
    valid(d);
  });
});
