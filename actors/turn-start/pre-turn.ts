/**
 * Pre-turn evaluation: runs every check of the spec's "Pre-turn evaluation order" for one
 * proposal and packs the results into the single `turn.arbitrate` event the RK-03 turn machine
 * consumes. Steps: 1 snapshot validity and 2 capacity (RK-25), 3 epoch and 4 authorization
 * (RK-24), 5 CP turn-start bundle, 6 CP-07 lease re-gate, 7 CP-05 decision, 8 RK-04 plan.
 * Evaluation stops at the first failing step (the plan is frozen only for candidates past
 * admission and authority); the fields of later steps are filled fail-closed, so the event can
 * never open a turn the checks did not pass. Pure: time comes from the proposal.
 */
import type { TurnArbitrateEvent } from '../../machines/index.ts';
import { hasCapacity, isSnapshotValid, type LocalAdmissionView } from '../admission/admission.ts';
import { nonNegativeInt } from '../identity/stamp.ts';
import { resolveTurnStartBundle, type BundleResult } from './bundle.ts';
import type { LeaseResolution } from './cp-runtime.ts';
import { resolveTurnPlan, toArbitrationPlan, type PlanResult } from './plan.ts';
import type { ControlPlaneSnapshot } from './snapshot.ts';

/** One proposal and everything known locally when it is arbitrated. */
export type PreTurnInput = {
  readonly session_id: string;
  readonly turn_id: string;
  readonly tenant_id?: string | undefined;
  /** The version the proposal asked for; absent -> CP defaults. */
  readonly pipeline_version?: string | undefined;
  /** The epoch the proposal was stamped with. */
  readonly authority_epoch: number;
  readonly at_ms: number;
  readonly wall_ms?: number | undefined;
  readonly snapshot: ControlPlaneSnapshot;
  /** RK-25's local admission snapshot and capacity (steps 1 and 2). */
  readonly admission: LocalAdmissionView;
  /**
   * RK-24's local authority view (steps 3 and 4): the session's current epoch (default: the
   * CP-08 routing view's epoch when the snapshot exposes one, else the requested epoch) and
   * whether this placement is still authorized (default true).
   */
  readonly authority?: {
    readonly authority_epoch?: number | undefined;
    readonly authorized?: boolean | undefined;
  };
};

/** Pre-turn steps that can fail, numbered as in the spec. */
export type PreTurnStep = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** The arbitration event plus what produced it. */
export type PreTurnEvaluation = {
  readonly event: TurnArbitrateEvent;
  /** The first failing step, or `null` when the turn may open (step 9). */
  readonly failed_step: PreTurnStep | null;
  /** The bundle result, when step 5 was reached. */
  readonly bundle: BundleResult | null;
  /** The plan result, when step 8 was reached. */
  readonly plan: PlanResult | null;
  /** The epoch the turn opens with (step 6 re-gate), or the requested one before step 6. */
  readonly authority_epoch: number;
};

/** Step 6: the epoch after the CP-07 re-gate: the lease epoch if > 0 (or the request's is 0). */
export function regateEpoch(requested_epoch: number, lease_epoch: number): number {
  const requested = nonNegativeInt(requested_epoch);
  const lease = nonNegativeInt(lease_epoch);
  return lease > 0 || requested === 0 ? lease : requested;
}

/** Step 6: valid/authorized := request AND lease, with the re-gated epoch. */
export function regateLease(
  request: { readonly epoch_valid: boolean; readonly authorized: boolean },
  lease: LeaseResolution,
): TurnArbitrateEvent['lease'] {
  return {
    authority_epoch: nonNegativeInt(lease.authority_epoch),
    authority_epoch_valid: request.epoch_valid && lease.authority_epoch_valid,
    authority_authorized: request.authorized && lease.authority_authorized,
  };
}

const CLOSED_LEASE = {
  authority_epoch: 0,
  authority_epoch_valid: false,
  authority_authorized: false,
};
const NOT_EVALUATED = { outcome_kind: 'not_evaluated', reason: 'not_evaluated' } as const;

function routingEpoch(snapshot: ControlPlaneSnapshot): number | undefined {
  const read = snapshot.routing_view;
  const epoch = read?.status === 'ok' ? read.value.authority_epoch : undefined;
  return typeof epoch === 'number' && Number.isSafeInteger(epoch) && epoch >= 0 ? epoch : undefined;
}

/** Evaluates steps 1..8 for a proposal; never throws. */
export function evaluatePreTurn(input: PreTurnInput): PreTurnEvaluation {
  const requested = nonNegativeInt(input.authority_epoch);
  const current = nonNegativeInt(
    input.authority?.authority_epoch ?? routingEpoch(input.snapshot) ?? requested,
  );
  const authorized = input.authority?.authorized ?? true;
  // Fail-closed baseline: every step fails until it has been evaluated and passed.
  const event = {
    type: 'turn.arbitrate' as const,
    at_ms: nonNegativeInt(input.at_ms),
    ...(input.wall_ms === undefined ? {} : { wall_ms: nonNegativeInt(input.wall_ms) }),
    snapshot_valid: false,
    capacity_ok: false,
    requested_epoch: requested,
    current_epoch: current,
    authorized: false,
    bundle_ok: false,
    lease: CLOSED_LEASE as TurnArbitrateEvent['lease'],
    cp_decision: NOT_EVALUATED as TurnArbitrateEvent['cp_decision'],
    plan: { materialized: false } as TurnArbitrateEvent['plan'],
  };
  const stop = (
    failed_step: PreTurnStep,
    bundle: BundleResult | null = null,
    plan: PlanResult | null = null,
    authority_epoch = requested,
  ): PreTurnEvaluation => ({ event: { ...event }, failed_step, bundle, plan, authority_epoch });

  event.snapshot_valid = isSnapshotValid(input.admission.snapshot);
  if (!event.snapshot_valid) return stop(1);
  event.capacity_ok = hasCapacity(input.admission.capacity);
  if (!event.capacity_ok) return stop(2);
  const epochValid = requested === current;
  if (!epochValid) return stop(3);
  event.authorized = authorized;
  if (!authorized) return stop(4);

  const bundle = resolveTurnStartBundle(input.snapshot, {
    session_id: input.session_id,
    turn_id: input.turn_id,
    tenant_id: input.tenant_id,
    requested_pipeline_version: input.pipeline_version,
    requested_authority_epoch: requested,
  });
  event.bundle_ok = bundle.ok;
  if (!bundle.ok) return stop(5, bundle);
  const b = bundle.bundle;

  event.lease = regateLease({ epoch_valid: epochValid, authorized }, b.lease);
  const epoch = regateEpoch(requested, b.lease.authority_epoch);
  if (!event.lease.authority_epoch_valid || !event.lease.authority_authorized)
    return stop(6, bundle, null, epoch);

  event.cp_decision = { outcome_kind: b.admission.outcome_kind, reason: b.admission.reason };
  if (b.admission.outcome_kind !== 'admit') return stop(7, bundle, null, epoch);

  const plan = resolveTurnPlan({
    turn_id: input.turn_id,
    pipeline_version: b.pipeline_version,
    graph_definition_ref: b.graph_definition_ref,
    execution_profile: b.execution_profile,
    authority_epoch: epoch,
    snapshot_provenance: b.snapshot_provenance,
    allowed_adaptive_actions: b.allowed_adaptive_actions,
    provider_bindings: b.provider_bindings,
  });
  event.plan = toArbitrationPlan(plan);
  if (!plan.ok) return stop(8, bundle, plan, epoch);
  return { event: { ...event }, failed_step: null, bundle, plan, authority_epoch: epoch };
}
