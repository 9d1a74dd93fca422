/**
 * Shared fixtures of the recorder tests: complete turn facts, records and signals of session
 * `sess-1` at epoch 7. Only tests import this file.
 */
import type { ControlSignal, DecisionOutcome, InvocationAttempt } from '../../contracts/index.ts';
import type { SnapshotProvenance } from '../../contracts/internal.ts';
import { stampSignal, type SignalFields } from '../../machines/internal.ts';
import type { BaselineFacts, TurnEvidenceFacts } from './baseline.ts';

/** Session of every fixture. */
export const SESSION = 'sess-1';
/** Pipeline version of every fixture. */
export const PIPELINE = 'pipeline-v1';
/** Authority epoch of every fixture. */
export const EPOCH = 7;
/** A valid 64-hex plan hash (the turn machine path fixtures use the same). */
export const PLAN_HASH = 'a'.repeat(64);

/** The six turn-start snapshot refs. */
export const PROVENANCE: SnapshotProvenance = {
  routing_view_snapshot: 'routing/1',
  admission_policy_snapshot: 'admission/1',
  abi_compatibility_snapshot: 'abi/1',
  version_resolution_snapshot: 'version/1',
  policy_resolution_snapshot: 'policy/1',
  provider_health_snapshot: 'health/1',
};

/** The pre-turn admit decision of `turn_id`. */
export function admitDecision(turn_id: string, at_ms = 20): DecisionOutcome {
  return {
    outcome_kind: 'admit',
    phase: 'pre_turn',
    scope: 'turn',
    session_id: SESSION,
    turn_id,
    event_id: `evt/${SESSION}/${turn_id}/admit`,
    runtime_timestamp_ms: at_ms,
    wall_clock_timestamp_ms: at_ms,
    emitted_by: 'RK-25',
    reason: 'cp_admission_allowed',
  };
}

/** One provider attempt of `invocation` in `turn_id`. */
export function attempt(
  turn_id: string,
  invocation: string,
  n: number,
  wall_ms: number,
  overrides: Partial<InvocationAttempt> = {},
): InvocationAttempt {
  return {
    session_id: SESSION,
    turn_id,
    pipeline_version: PIPELINE,
    event_id: `evt/${SESSION}/${turn_id}/${invocation}/${n}`,
    provider_invocation_id: invocation,
    modality: 'llm',
    provider_id: 'sim-llm',
    attempt: n,
    outcome_class: 'success',
    retryable: false,
    retry_decision: 'none',
    attempt_latency_ms: 40,
    transport_sequence: n,
    runtime_sequence: n,
    authority_epoch: EPOCH,
    runtime_timestamp_ms: wall_ms,
    wall_clock_timestamp_ms: wall_ms,
    ...overrides,
  };
}

/**
 * A ControlLane signal: `output_accepted` (RK-22) of `turn_id`, or `silence` (RK-23) of the session
 * when `turn_id` is undefined; `fields` override.
 */
export function signal(
  turn_id: string | undefined,
  ordinal: number,
  fields: Partial<SignalFields> = {},
): ControlSignal {
  const base: SignalFields =
    turn_id === undefined
      ? { signal: 'silence', emitted_by: 'RK-23', event_scope: 'session' }
      : { signal: 'output_accepted', emitted_by: 'RK-22', event_scope: 'turn' };
  return stampSignal(
    { session_id: SESSION, pipeline_version: PIPELINE, authority_epoch: EPOCH, turn_id },
    { runtime_ms: 100 + ordinal, wall_ms: 1000 + ordinal },
    ordinal,
    { ...base, ...fields },
  );
}

/** Facts of a finalizing turn that `evidence.requested` does not carry. */
export function turnFacts(turn_id: string): TurnEvidenceFacts {
  return {
    pipeline_version: PIPELINE,
    envelope_snapshot: {
      session_id: SESSION,
      turn_id,
      schema_version: 'v1.0',
      lane: 'DataLane',
      payload_class: 'text_raw',
    },
    payload_tags: ['text_raw', 'metadata', 'PII', 'text_raw'],
    snapshot_provenance: PROVENANCE,
    decision_outcomes: [admitDecision(turn_id)],
    invocation_attempts: [attempt(turn_id, 'inv-1', 1, 50)],
    determinism_seed: 42,
    ordering_markers: [`${turn_id}/rs/1`, `${turn_id}/rs/2`],
    merge_rule_id: 'merge/default',
    merge_rule_version: 'v1',
    first_output_at_ms: 45,
    accepted_stale_epoch_output: false,
  };
}

/** Complete facts of a committed turn. */
export function commitFacts(turn_id = 'turn-1'): BaselineFacts {
  return {
    ...turnFacts(turn_id),
    session_id: SESSION,
    turn_id,
    event_id: `evt/${SESSION}/${turn_id}/baseline`,
    plan_hash: PLAN_HASH,
    authority_epoch: EPOCH,
    terminal: { signal: 'commit' },
    close_emitted: true,
    turn_open_proposed_at_ms: 10,
    turn_open_at_ms: 20,
  };
}
