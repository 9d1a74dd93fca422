/**
 * Pure steps of a turn's flow through a session: the pre-turn evaluation (RK-25/RK-24/CP/RK-04)
 * with RK-25's admit decision, the graph execution options from the frozen plan, and the
 * records the runtime publishes beside machine signals (DataLane output, TelemetryLane outcomes).
 */
import type {
  BusPayload,
  DecisionOutcome,
  EventRecord,
  Lane,
  LlmInput,
} from '../../contracts/index.ts';
import type { EdgeRecord } from '../edges/index.ts';
import { ADMISSION_ALLOW_REASON, preTurnDecision } from '../admission/admission.ts';
import type { GraphExecutionOptions } from '../graph/executor.ts';
import type { RuntimeGraph } from '../graph/graph.ts';
import type { GraphItem } from '../nodes/types.ts';
import { evaluatePreTurn, type PreTurnEvaluation } from '../turn-start/pre-turn.ts';
import type { ControlPlaneSnapshot } from '../turn-start/snapshot.ts';
import type { RuntimeLimits, RuntimeOptions } from './types.ts';

/** Identity of the session a turn belongs to. */
export type FlowIdentity = {
  readonly tenant_id: string;
  readonly session_id: string;
  readonly pipeline_version: string;
  readonly authority_epoch: number;
};

/** Runtime and wall-clock time of a step. */
export type FlowTime = { readonly at_ms: number; readonly wall_ms: number };

/** Steps 1..8 for a proposal, and RK-25's admit outcome when the turn may open. */
export function evaluateTurn(
  identity: FlowIdentity,
  snapshot: ControlPlaneSnapshot,
  capacity: { readonly active_turns: number; readonly max_active_turns: number },
  turn_id: string,
  time: FlowTime,
  authority?: { readonly authority_epoch: number; readonly authorized: boolean },
): { readonly evaluation: PreTurnEvaluation; readonly admit: DecisionOutcome | null } {
  const { session_id, tenant_id, pipeline_version, authority_epoch } = identity;
  const evaluation = evaluatePreTurn({
    session_id,
    turn_id,
    tenant_id,
    pipeline_version,
    authority_epoch,
    ...time,
    snapshot,
    admission: { snapshot: { admission_policy_snapshot: 'admission-policy/v1' }, capacity },
    ...(authority === undefined ? {} : { authority }),
  });
  if (evaluation.failed_step !== null) return { evaluation, admit: null };
  // RK-25's admit is the gating decision the OR-02 baseline of an opened turn must carry.
  const admit = preTurnDecision('admit', ADMISSION_ALLOW_REASON, {
    session_id,
    turn_id,
    pipeline_version,
    authority_epoch: evaluation.authority_epoch,
    ordinal: 0,
    runtime_ms: time.at_ms,
    wall_ms: time.wall_ms,
  });
  return { evaluation, admit: admit.outcome };
}

/** What the execution of a turn is built from. */
export type ExecutionInputs = {
  readonly identity: FlowIdentity;
  readonly turn_id: string;
  readonly evaluation: PreTurnEvaluation;
  readonly graph: RuntimeGraph;
  readonly options: RuntimeOptions;
  readonly limits: RuntimeLimits;
  readonly input: readonly GraphItem[];
  readonly history: readonly LlmInput[];
};

/** The graph execution options of a turn from its frozen plan; null without a plan. */
export function executionOptions(
  inputs: ExecutionInputs,
): Omit<GraphExecutionOptions, 'report'> | null {
  const plan = inputs.evaluation.plan;
  if (plan?.ok !== true) return null;
  const frozen = plan.plan;
  const { limits, identity } = inputs;
  const edge = frozen.edge_buffer_policies['default'];
  return {
    graph: inputs.graph,
    identity: {
      session_id: identity.session_id,
      pipeline_version: identity.pipeline_version,
      authority_epoch: frozen.authority_epoch,
      turn_id: inputs.turn_id,
    },
    clock: inputs.options.clock,
    providers: inputs.options.providers,
    bindings: frozen.provider_bindings,
    allowed_adaptive_actions: frozen.allowed_adaptive_actions,
    input: inputs.input,
    history: inputs.history,
    edge_capacity: limits.edge_capacity ?? edge?.max_queue_items ?? 64,
    edge_plan: frozen,
    node_budget_ms: limits.node_budget_ms ?? frozen.budgets.node_budget_ms_default,
    ...(limits.attempt_timeout_ms === undefined
      ? {}
      : { attempt_timeout_ms: limits.attempt_timeout_ms }),
  };
}

/** A record the runtime publishes itself; RK-21 restamps its id and sequence. */
export function outputRecord(
  identity: FlowIdentity,
  time: FlowTime,
  lane: Lane,
  turn_id: string | undefined,
  extra: Partial<EventRecord>,
): EdgeRecord {
  const record: EdgeRecord = {
    schema_version: 'v1.0',
    event_scope: turn_id === undefined ? 'session' : 'turn',
    session_id: identity.session_id,
    ...(turn_id === undefined ? {} : { turn_id }),
    pipeline_version: identity.pipeline_version,
    event_id: 'pending',
    lane,
    transport_sequence: 0,
    runtime_sequence: 0,
    runtime_timestamp_ms: time.at_ms,
    wall_clock_timestamp_ms: time.wall_ms,
    payload_class: 'metadata',
    authority_epoch: identity.authority_epoch,
  };
  return Object.assign(record, extra);
}

/** The bus payload of an egress item (audio travels as its shape; text as itself). */
export function egressPayload(item: GraphItem): BusPayload {
  return item.kind === 'audio'
    ? {
        samples: item.pcm.length,
        sample_rate_hz: item.sample_rate_hz,
        duration_ms: item.duration_ms,
      }
    : { text: item.text };
}
