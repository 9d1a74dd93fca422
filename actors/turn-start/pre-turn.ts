/**
 * Pre-turn observation: gathers the facts of pre-turn steps 1..7 for one proposal (1 snapshot
 * validity and 2 capacity (RK-25), 3 epoch and 4 authorization (RK-24), 5 CP turn-start bundle,
 * 6 CP-07 lease re-gate, 7 CP-05 decision) into the `turn.arbitrate` event of the RK-03 turn
 * machine, plus what step 8 (RK-04) freezes the plan from. It decides nothing: the turn machine
 * evaluates the facts in the spec's order, and asks for the plan only when all seven passed.
 * Every fact is a pure read of local snapshots, so observing all of them costs no side effect.
 * Facts that cannot be observed (no bundle) are filled fail-closed. Pure: time comes from the
 * proposal.
 */
import type { PlanRequest, TurnArbitrateEvent } from '../../machines/internal.ts';
import { hasCapacity, isSnapshotValid, type LocalAdmissionView } from '../admission/admission.ts';
import { nonNegativeInt } from '../identity/stamp.ts';
import { resolveTurnStartBundle, type BundleResult } from './bundle.ts';
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

/** The facts of steps 1..7 and what the plan of a passing proposal is frozen from. */
export type PreTurnObservation = {
  readonly event: TurnArbitrateEvent;
  /** The bundle result (step 5). */
  readonly bundle: BundleResult;
};

const CLOSED_LEASE = {
  authority_epoch: 0,
  authority_epoch_valid: false,
  authority_authorized: false,
};
const NOT_RESOLVED = { outcome_kind: 'not_resolved', reason: 'bundle_unresolved' } as const;

function routingEpoch(snapshot: ControlPlaneSnapshot): number | undefined {
  const read = snapshot.routing_view;
  const epoch = read?.status === 'ok' ? read.value.authority_epoch : undefined;
  return typeof epoch === 'number' && Number.isSafeInteger(epoch) && epoch >= 0 ? epoch : undefined;
}

/** Observes the facts of steps 1..7 for a proposal; never throws. */
export function observePreTurn(input: PreTurnInput): PreTurnObservation {
  const requested = nonNegativeInt(input.authority_epoch);
  const current = nonNegativeInt(
    input.authority?.authority_epoch ?? routingEpoch(input.snapshot) ?? requested,
  );
  const authorized = input.authority?.authorized ?? true;
  const bundle = resolveTurnStartBundle(input.snapshot, {
    session_id: input.session_id,
    turn_id: input.turn_id,
    tenant_id: input.tenant_id,
    requested_pipeline_version: input.pipeline_version,
    requested_authority_epoch: requested,
  });
  const b = bundle.ok ? bundle.bundle : null;
  const plan_request: PlanRequest | undefined =
    b === null
      ? undefined
      : {
          pipeline_version: b.pipeline_version,
          graph_definition_ref: b.graph_definition_ref,
          execution_profile: b.execution_profile,
          snapshot_provenance: b.snapshot_provenance,
          allowed_adaptive_actions: b.allowed_adaptive_actions,
          provider_bindings: b.provider_bindings,
        };
  const event: TurnArbitrateEvent = {
    type: 'turn.arbitrate',
    at_ms: nonNegativeInt(input.at_ms),
    ...(input.wall_ms === undefined ? {} : { wall_ms: nonNegativeInt(input.wall_ms) }),
    snapshot_valid: isSnapshotValid(input.admission.snapshot),
    capacity_ok: hasCapacity(input.admission.capacity),
    requested_epoch: requested,
    current_epoch: current,
    authorized,
    bundle_ok: bundle.ok,
    // Step 6's re-gate (request AND lease) happens in the machine: steps 3 and 4 come first.
    lease:
      b === null
        ? CLOSED_LEASE
        : {
            authority_epoch: nonNegativeInt(b.lease.authority_epoch),
            authority_epoch_valid: b.lease.authority_epoch_valid,
            authority_authorized: b.lease.authority_authorized,
          },
    cp_decision:
      b === null
        ? NOT_RESOLVED
        : { outcome_kind: b.admission.outcome_kind, reason: b.admission.reason },
    ...(plan_request === undefined ? {} : { plan_request }),
  };
  return { event, bundle };
}
