/**
 * RK-04 plan resolver: freezes a contract-valid ResolvedTurnPlan for a candidate that passed
 * admission and authority. Pure and total: the same inputs give a deep-equal, deep-frozen plan;
 * bad inputs give a typed failure (never a throw) that the turn machine maps to `defer`/`reject`
 * with reason `plan_materialization_failed`.
 */
import type { ResolvedTurnPlan, SnapshotProvenance } from '../../contracts/internal.ts';
import type { TurnPlanEvent } from '../../machines/internal.ts';
import { sha256Hex } from '../identity/ids.ts';
import {
  BOUND_MODALITIES,
  DEFAULT_ADAPTIVE_ACTIONS,
  DEFAULT_EDGE_ID,
  DEFAULT_PROVIDER_BINDINGS,
  type EdgePolicy,
  SIMPLE_BUDGETS,
  SIMPLE_EDGE_POLICY,
  SIMPLE_FLOW_CONTROL,
  SIMPLE_PROFILE,
  SIMPLE_RECORDING,
  normalizeAdaptiveActions,
} from './defaults.ts';
import { determinismContext, type DeterminismEvidence } from './determinism.ts';
import { deepFreeze, type DeepReadonly } from './freeze.ts';

/** What RK-04 freezes a plan from: the turn, the re-gated epoch and the CP bundle's outputs. */
export type PlanInputs = {
  readonly turn_id: string;
  readonly pipeline_version: string;
  readonly graph_definition_ref: string;
  readonly execution_profile: string;
  /** The epoch after the CP-07 re-gate (step 6); part of the plan hash. */
  readonly authority_epoch: number;
  readonly snapshot_provenance: SnapshotProvenance;
  /** CP-04 output; missing -> CP-04 defaults. Deduplicated and put in canonical order. */
  readonly allowed_adaptive_actions?: readonly string[];
  /** CP-04 output; missing modalities take {@link DEFAULT_PROVIDER_BINDINGS}. */
  readonly provider_bindings?: Readonly<Record<string, string>>;
  /** CP-02 edge policies of the graph (`edgeBufferPolicies`); absent -> `default` only. */
  readonly edge_buffer_policies?: DeepReadonly<Record<string, EdgePolicy>>;
} & PlanPolicy;

/** A pipeline's plan-wide sections (CP-02, from its file); absent ones are simple-mode defaults. */
export type PlanPolicy = {
  readonly budgets?: DeepReadonly<ResolvedTurnPlan['budgets']>;
  readonly recording_policy?: DeepReadonly<ResolvedTurnPlan['recording_policy']>;
};

/** A frozen plan. */
type FrozenPlan = DeepReadonly<ResolvedTurnPlan>;

/** Why a plan could not be materialized. */
type PlanFailureCode = 'invalid_input' | 'unsupported_profile' | 'internal_error';

/** A typed plan-materialization failure (lifecycle.md T5a, step 8). */
type PlanFailure = {
  readonly reason: 'plan_materialization_failed';
  readonly code: PlanFailureCode;
  /** The offending input field, when one is to blame. */
  readonly field?: string;
  readonly message: string;
};

/** Result of {@link resolveTurnPlan}. */
export type PlanResult =
  | { readonly ok: true; readonly plan: FrozenPlan; readonly evidence: DeterminismEvidence }
  | { readonly ok: false; readonly failure: PlanFailure };

/** The `plan_hash` preimage fields, in order. */
export type PlanHashInputs = Pick<
  PlanInputs,
  'turn_id' | 'pipeline_version' | 'graph_definition_ref' | 'execution_profile' | 'authority_epoch'
>;

/** Hex SHA-256 of `turn_id|pipeline_version|graph_definition_ref|execution_profile|authority_epoch`. */
export function planHash(inputs: PlanHashInputs): string {
  const { turn_id, pipeline_version, graph_definition_ref, execution_profile } = inputs;
  const epoch = String(inputs.authority_epoch);
  return sha256Hex(
    `${turn_id}|${pipeline_version}|${graph_definition_ref}|${execution_profile}|${epoch}`,
  );
}

const PROVENANCE_KEYS = [
  'routing_view_snapshot',
  'admission_policy_snapshot',
  'abi_compatibility_snapshot',
  'version_resolution_snapshot',
  'policy_resolution_snapshot',
  'provider_health_snapshot',
] as const satisfies readonly (keyof SnapshotProvenance)[];

const isText = (value: unknown): value is string =>
  typeof value === 'string' && value.trim().length > 0;

/** A fresh copy holding exactly the six provenance refs. */
function copyProvenance(p: SnapshotProvenance): SnapshotProvenance {
  return {
    routing_view_snapshot: p.routing_view_snapshot,
    admission_policy_snapshot: p.admission_policy_snapshot,
    abi_compatibility_snapshot: p.abi_compatibility_snapshot,
    version_resolution_snapshot: p.version_resolution_snapshot,
    policy_resolution_snapshot: p.policy_resolution_snapshot,
    provider_health_snapshot: p.provider_health_snapshot,
  };
}

function fail(code: PlanFailureCode, message: string, field?: string): PlanResult {
  const failure: PlanFailure =
    field === undefined
      ? { reason: 'plan_materialization_failed', code, message }
      : { reason: 'plan_materialization_failed', code, field, message };
  return { ok: false, failure };
}

/** The plan's bindings: CP-04 defaults overridden by the inputs; `undefined` if one is empty. */
function bindingsOf(input: PlanInputs): Record<string, string> | undefined {
  const merged: Record<string, string> = { ...DEFAULT_PROVIDER_BINDINGS };
  for (const [modality, provider] of Object.entries(input.provider_bindings ?? {})) {
    if (!isText(modality) || !isText(provider)) return undefined;
    merged[modality] = provider;
  }
  return BOUND_MODALITIES.every((modality) => isText(merged[modality])) ? merged : undefined;
}

function materialize(input: PlanInputs): PlanResult {
  for (const field of ['turn_id', 'pipeline_version', 'graph_definition_ref'] as const)
    if (!isText(input[field])) return fail('invalid_input', `${field} must be non-empty`, field);
  if (input.execution_profile !== SIMPLE_PROFILE)
    return fail('unsupported_profile', 'only the simple profile is supported', 'execution_profile');
  const epoch = input.authority_epoch;
  if (!Number.isSafeInteger(epoch) || epoch < 0)
    return fail('invalid_input', 'authority_epoch must be an integer >= 0', 'authority_epoch');
  const provenance = input.snapshot_provenance as Partial<SnapshotProvenance> | undefined;
  for (const key of PROVENANCE_KEYS)
    if (!isText(provenance?.[key]))
      return fail('invalid_input', `${key} must be non-empty`, `snapshot_provenance.${key}`);
  const bindings = bindingsOf(input);
  if (bindings === undefined)
    return fail('invalid_input', 'bindings must be non-empty strings', 'provider_bindings');
  const actions = input.allowed_adaptive_actions ?? DEFAULT_ADAPTIVE_ACTIONS;
  if (!Array.isArray(actions))
    return fail('invalid_input', 'must be an array', 'allowed_adaptive_actions');

  const budgets = input.budgets ?? SIMPLE_BUDGETS;
  if (!Object.values(budgets).every((ms) => Number.isSafeInteger(ms) && ms >= 1))
    return fail('invalid_input', 'budgets must be integers >= 1', 'budgets');
  const recording = input.recording_policy ?? SIMPLE_RECORDING;
  if (recording.allowed_replay_modes.length === 0)
    return fail('invalid_input', 'allowed_replay_modes must not be empty', 'recording_policy');

  const plan_hash = planHash(input);
  const determinism = determinismContext(plan_hash, epoch);
  // The profile's sections are deep-frozen defaults, shared rather than copied: nothing can
  // change them, and a structured clone of each per turn was a visible share of turn start.
  const plan: DeepReadonly<ResolvedTurnPlan> = {
    turn_id: input.turn_id,
    pipeline_version: input.pipeline_version,
    plan_hash,
    graph_definition_ref: input.graph_definition_ref,
    execution_profile: input.execution_profile,
    authority_epoch: epoch,
    budgets,
    provider_bindings: bindings,
    edge_buffer_policies: input.edge_buffer_policies ?? { [DEFAULT_EDGE_ID]: SIMPLE_EDGE_POLICY },
    flow_control: SIMPLE_FLOW_CONTROL,
    allowed_adaptive_actions: normalizeAdaptiveActions(actions),
    snapshot_provenance: copyProvenance(input.snapshot_provenance),
    recording_policy: recording,
    determinism: determinism.context,
  };
  return { ok: true, plan: deepFreeze(plan), evidence: deepFreeze(determinism.evidence) };
}

/** Freezes the ResolvedTurnPlan of `inputs`, or explains why it cannot; never throws. */
export function resolveTurnPlan(inputs: PlanInputs): PlanResult {
  try {
    return materialize(inputs);
  } catch (error) {
    // Inputs from untyped sources (getters, proxies) must still end in a plan failure.
    const message = error instanceof Error ? error.name : 'unknown error';
    return fail('internal_error', `plan materialization threw ${message}`);
  }
}

/** The step-8 answer of the turn machine's `turn.plan` event for a plan result. */
export function toArbitrationPlan(result: PlanResult): TurnPlanEvent['plan'] {
  return result.ok
    ? { materialized: true, plan_hash: result.plan.plan_hash }
    : { materialized: false };
}
