/**
 * Path-generation inputs of the turn machine: concrete events (one per guard branch), the
 * machine input, and a snapshot serializer that drops unbounded context (ordinals, times).
 * With these, a traversal reaches every state and takes every declared transition.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type {
  TurnArbitrateEvent,
  TurnContext,
  TurnEvent,
  TurnInput,
  TurnPlanEvent,
} from './turn/types.ts';

/** The turn used by path suites: epoch 7, late events reported as diagnostics. */
export const turnPathInput: TurnInput = {
  session_id: 'session-paths',
  turn_id: 'turn-1',
  pipeline_version: 'pipeline-v1',
  authority_epoch: 7,
  policies: { late_event: 'diagnostics' },
};

const EPOCH = 7;
const STALE_EPOCH = 6;

/** Pre-turn facts of steps 1..7 that all pass (the proposal goes on to planning). */
export const passingArbitration: TurnArbitrateEvent = {
  type: 'turn.arbitrate',
  at_ms: 20,
  snapshot_valid: true,
  capacity_ok: true,
  requested_epoch: EPOCH,
  current_epoch: EPOCH,
  authorized: true,
  bundle_ok: true,
  lease: { authority_epoch: EPOCH, authority_epoch_valid: true, authority_authorized: true },
  cp_decision: { outcome_kind: 'admit', reason: 'cp_admission_allowed' },
};

/** Step 8 passes: a plan was materialized (step 9: `turn_open`). */
export const passingPlan: TurnPlanEvent = {
  type: 'turn.plan',
  at_ms: 20,
  plan: { materialized: true, plan_hash: 'a'.repeat(64) },
};

/** Step 8 fails: no plan could be materialized. */
export const failingPlan: TurnPlanEvent = {
  type: 'turn.plan',
  at_ms: 20,
  plan: { materialized: false },
};

/** One `turn.arbitrate` per pre-turn step 1..7, each failing at that step and passing before it. */
export const failingArbitrations: readonly TurnArbitrateEvent[] = [
  { ...passingArbitration, snapshot_valid: false },
  { ...passingArbitration, capacity_ok: false },
  { ...passingArbitration, requested_epoch: STALE_EPOCH },
  { ...passingArbitration, authorized: false },
  { ...passingArbitration, bundle_ok: false },
  { ...passingArbitration, lease: { ...passingArbitration.lease, authority_epoch_valid: false } },
  { ...passingArbitration, lease: { ...passingArbitration.lease, authority_authorized: false } },
  {
    ...passingArbitration,
    cp_decision: { outcome_kind: 'defer', reason: 'cp_admission_defer_capacity' },
  },
];

/** Concrete events reaching every state and transition of `turnMachine` from `turnPathInput`. */
export const turnPathEvents: readonly TurnEvent[] = [
  { type: 'turn.propose', at_ms: 10 },
  passingArbitration,
  ...failingArbitrations,
  passingPlan,
  failingPlan,
  { type: 'turn.revoke', at_ms: 30 },
  // RK-24 authority changes: the turn's own epoch, still authorized (kept); another epoch (lost).
  { type: 'turn.authority', at_ms: 30, epoch: EPOCH, authorized: true },
  { type: 'turn.authority', at_ms: 30, epoch: EPOCH + 1, authorized: true },
  { type: 'turn.barge_in', at_ms: 30 },
  { type: 'turn.cancel', at_ms: 30 },
  { type: 'turn.failure', at_ms: 30, failure: 'provider' },
  { type: 'turn.failure', at_ms: 30, failure: 'node' },
  { type: 'turn.connection', at_ms: 30, signal: 'stall' },
  { type: 'turn.failure', at_ms: 30, failure: 'baseline_append' },
  { type: 'turn.failure', at_ms: 30, failure: 'no_legal_path', reason: 'budget_exhausted' },
  { type: 'turn.generation.completed', at_ms: 30 },
  { type: 'turn.connection', at_ms: 30, signal: 'silence' },
  { type: 'evidence.appended', at_ms: 40, request_id: 'turn-1/evidence/1' },
  { type: 'evidence.appended', at_ms: 40, request_id: 'turn-1/evidence/2' },
  { type: 'evidence.append_failed', at_ms: 40, request_id: 'turn-1/evidence/1' },
  // T12: the same kinds of events from a placement with another epoch.
  { type: 'turn.propose', at_ms: 10, authority_epoch: STALE_EPOCH },
  { type: 'turn.cancel', at_ms: 30, authority_epoch: STALE_EPOCH },
  {
    type: 'evidence.appended',
    at_ms: 40,
    request_id: 'turn-1/evidence/1',
    authority_epoch: STALE_EPOCH,
  },
  {
    type: 'evidence.append_failed',
    at_ms: 40,
    request_id: 'turn-1/evidence/1',
    authority_epoch: STALE_EPOCH,
  },
  { type: 'pipeline.event', at_ms: 50, authority_epoch: STALE_EPOCH, node_id: 'llm' },
  { type: 'pipeline.event', at_ms: 50, authority_epoch: EPOCH, node_id: 'llm' },
];

/**
 * Vertex identity for path traversal: state value, chosen terminal and awaited evidence request.
 * Ordinals and times are left out (they grow with every stale or late event).
 */
export function turnSerializeState(snapshot: AnyMachineSnapshot): string {
  const context = snapshot.context as TurnContext;
  return JSON.stringify({
    value: snapshot.value as unknown,
    epoch: context.authority_epoch,
    candidate: context.candidate,
    evidence: context.evidence?.request_id ?? null,
  });
}
