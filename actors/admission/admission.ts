/**
 * RK-25 local admission: enforces the CP-05 admission snapshot at pre-turn (snapshot validity,
 * local capacity) and at scheduling points (`shed`). Pure: every decision is a contract-valid
 * decision outcome plus its ControlLane signal, stamped from an injected context.
 */
import type { ControlSignal, DecisionOutcome, Lane } from '../../contracts/index.ts';
import { PRE_TURN_REASONS, SCHEDULING_REASONS } from '../../contracts/internal.ts';
import { buildOutcome, buildSignal, type StampContext } from '../identity/stamp.ts';

/** Configured result of a pre-turn failure: `defer` or `reject`. */
export type PreTurnOutcomeKind = 'defer' | 'reject';

/** Reason of an RK-25 pre-turn admit (not among the spec's failure reasons; ADR 0007). */
export const ADMISSION_ALLOW_REASON = 'admission_capacity_allow';

/** The admission snapshot as RK-25 holds it locally. */
export type AdmissionSnapshotView = {
  /** The CP-05 `admission_policy_snapshot` ref; missing or empty means "no snapshot". */
  readonly admission_policy_snapshot?: string;
  readonly stale?: boolean;
  /** ABI/version compatibility of the snapshot with this runtime (default true). */
  readonly compatible?: boolean;
};

/** Local turn capacity. */
export type CapacityView = { readonly active_turns: number; readonly max_active_turns: number };

/** What RK-25 knows locally at pre-turn; an absent snapshot is a missing one. */
export type LocalAdmissionView = {
  readonly snapshot?: AdmissionSnapshotView | undefined;
  /** Absent: no local capacity limit. */
  readonly capacity?: CapacityView | undefined;
};

/** Configured pre-turn results (defaults: snapshot `defer`, capacity `reject`, as the turn machine). */
export type AdmissionPolicies = {
  readonly snapshot_invalid: PreTurnOutcomeKind;
  readonly capacity: PreTurnOutcomeKind;
};

/** Defaults of {@link AdmissionPolicies}. */
const ADMISSION_POLICY_DEFAULTS: AdmissionPolicies = {
  snapshot_invalid: 'defer',
  capacity: 'reject',
};

/** Step 1: the snapshot is present, fresh and compatible. */
export function isSnapshotValid(view: AdmissionSnapshotView | undefined): boolean {
  const ref = view?.admission_policy_snapshot;
  return (
    typeof ref === 'string' &&
    ref.trim().length > 0 &&
    view?.stale !== true &&
    view?.compatible !== false
  );
}

/** Step 2: a turn fits in local capacity (no limit when absent; a bad limit admits nothing). */
export function hasCapacity(view: CapacityView | undefined): boolean {
  if (view === undefined) return true;
  const { active_turns, max_active_turns } = view;
  if (!Number.isFinite(active_turns) || !Number.isFinite(max_active_turns)) return false;
  return active_turns < max_active_turns;
}

/** A decision with the outcome and the signal announcing it. */
export type AdmissionDecision = {
  readonly outcome: DecisionOutcome;
  readonly signal: ControlSignal;
};

/** An RK-25 pre-turn outcome (scope `turn` when the turn is known) and its session-scoped signal. */
function preTurnDecision(
  kind: 'admit' | PreTurnOutcomeKind,
  reason: string,
  ctx: StampContext,
): AdmissionDecision {
  const scope = typeof ctx.turn_id === 'string' && ctx.turn_id.length > 0 ? 'turn' : 'session';
  const outcome = buildOutcome(ctx, {
    outcome_kind: kind,
    phase: 'pre_turn',
    scope,
    emitted_by: 'RK-25',
    reason,
  });
  // Open point 1: admit/reject/defer signals are session-scoped even for turn decisions.
  const signal = buildSignal(ctx, {
    signal: kind,
    emitted_by: 'RK-25',
    reason,
    event_scope: 'session',
  });
  return { outcome, signal };
}

/** Result of the RK-25 pre-turn checks (steps 1 and 2 of the evaluation order). */
export type PreTurnAdmission = AdmissionDecision & {
  readonly snapshot_valid: boolean;
  readonly capacity_ok: boolean;
};

/** Steps 1 and 2: snapshot validity, then capacity; the first failure decides. */
export function evaluatePreTurnAdmission(
  view: LocalAdmissionView,
  ctx: StampContext,
  policies: Partial<AdmissionPolicies> = {},
): PreTurnAdmission {
  const p = { ...ADMISSION_POLICY_DEFAULTS, ...policies };
  const snapshot_valid = isSnapshotValid(view.snapshot);
  const capacity_ok = hasCapacity(view.capacity);
  const decision = !snapshot_valid
    ? preTurnDecision(p.snapshot_invalid, PRE_TURN_REASONS.snapshot_invalid_or_missing, ctx)
    : !capacity_ok
      ? preTurnDecision(p.capacity, `admission_capacity_${p.capacity}`, ctx)
      : preTurnDecision('admit', ADMISSION_ALLOW_REASON, ctx);
  return { ...decision, snapshot_valid, capacity_ok };
}

/** Step 5: the CP turn-start bundle did not resolve. */
export function bundleFailureDecision(
  kind: PreTurnOutcomeKind,
  ctx: StampContext,
): AdmissionDecision {
  return preTurnDecision(kind, PRE_TURN_REASONS.turn_start_bundle_resolution_failed, ctx);
}

/** Step 8: the plan could not be materialized. */
export function planFailureDecision(
  kind: PreTurnOutcomeKind,
  ctx: StampContext,
): AdmissionDecision {
  return preTurnDecision(kind, PRE_TURN_REASONS.plan_materialization_failed, ctx);
}

/** Scheduling-point scopes. */
export type ShedScope = 'edge_enqueue' | 'edge_dequeue' | 'node_dispatch';

/** A valid scheduling-point scope, or `edge_enqueue` for anything else. */
export function shedScope(scope: unknown): ShedScope {
  return scope === 'edge_dequeue' || scope === 'node_dispatch' ? scope : 'edge_enqueue';
}

/** A `shed` outcome (phase `scheduling_point`, reason `scheduling_point_shed`) and its signal. */
export function shedDecision(
  scope: unknown,
  ctx: StampContext,
  target?: { readonly node_id?: string; readonly edge_id?: string },
): AdmissionDecision {
  const reason = SCHEDULING_REASONS.scheduling_point_shed;
  const outcome = buildOutcome(ctx, {
    outcome_kind: 'shed',
    phase: 'scheduling_point',
    scope: shedScope(scope),
    emitted_by: 'RK-25',
    reason,
  });
  // Open point 4: `shed` is turn-scoped when a turn is known (the default of buildSignal).
  const signal = buildSignal(ctx, {
    signal: 'shed',
    emitted_by: 'RK-25',
    reason,
    ...(target?.node_id === undefined ? {} : { node_id: target.node_id }),
    ...(target?.edge_id === undefined ? {} : { edge_id: target.edge_id }),
  });
  return { outcome, signal };
}

/** Load seen at one scheduling point. */
export type SchedulingLoad = {
  readonly lane: Lane;
  readonly scope: ShedScope;
  readonly queue_depth: number;
  /** The admission snapshot's limit for this point; absent: never shed. */
  readonly max_queue_depth?: number;
  readonly node_id?: string;
  readonly edge_id?: string;
};

/** Admit the work, or shed it when its queue is at the limit. ControlLane is never shed. */
export function evaluateSchedulingPoint(
  load: SchedulingLoad,
  ctx: StampContext,
): { readonly action: 'admit' } | ({ readonly action: 'shed' } & AdmissionDecision) {
  const limit = load.max_queue_depth;
  if (load.lane === 'ControlLane' || limit === undefined || load.queue_depth < limit)
    return { action: 'admit' };
  const target = {
    ...(load.node_id === undefined ? {} : { node_id: load.node_id }),
    ...(load.edge_id === undefined ? {} : { edge_id: load.edge_id }),
  };
  return { action: 'shed', ...shedDecision(load.scope, ctx, target) };
}
