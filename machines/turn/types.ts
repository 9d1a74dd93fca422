/**
 * Types of the turn machine (RK-03 turn arbiter): input and policies, context, the events it
 * accepts, and the machine-specific facts it emits next to the contract artifacts.
 */
import type {
  AbortReason,
  ControlSignalName,
  ResolvedTurnPlan,
  SnapshotProvenance,
} from '../../contracts/internal.ts';
import type { EventTime } from '../node/clock.ts';
import type {
  OutcomeEmitted,
  RuntimeLink,
  SignalEmitted,
  Timed,
  TransitionEmitted,
} from '../outputs.ts';

/** Outcome of a pre-turn step whose configured result is either `defer` or `reject`. */
export type PreTurnOutcomeKind = 'defer' | 'reject';

/** What a closed turn does with a late event of its own (T11); fixed for the turn's lifetime. */
type LateEventPolicy = 'drop' | 'remap' | 'diagnostics';

/** Per-turn policies, fixed when the turn actor is created. */
export type TurnPolicies = {
  /** Step 1, snapshot stale/missing/incompatible (default `defer`). */
  readonly snapshot_invalid: PreTurnOutcomeKind;
  /** Step 2, local capacity exhausted (default `reject`). */
  readonly capacity: PreTurnOutcomeKind;
  /** Step 5, CP turn-start bundle unresolved (default `defer`). */
  readonly bundle_failure: PreTurnOutcomeKind;
  /** Step 8, plan materialization failed (default `defer`). */
  readonly plan_failure: PreTurnOutcomeKind;
  /** T11 late-event handling once `Closed` (default `drop`). */
  readonly late_event: LateEventPolicy;
  /**
   * How long finalization waits for the OR-02 Stage-A answer before treating the append as
   * failed (T9). Stage-A is a bounded local append that must never stall (default 1000 ms).
   */
  readonly evidence_timeout_ms: number;
};

/** Defaults of {@link TurnPolicies} (spec/lifecycle.md evaluation order, replay.md Stage-A). */
export const TURN_POLICY_DEFAULTS: TurnPolicies = {
  snapshot_invalid: 'defer',
  capacity: 'reject',
  bundle_failure: 'defer',
  plan_failure: 'defer',
  late_event: 'drop',
  evidence_timeout_ms: 1000,
};

/** Input of the turn machine. */
export type TurnInput = {
  readonly session_id: string;
  readonly turn_id: string;
  readonly pipeline_version: string;
  /** Epoch the proposal was stamped with; replaced by the re-gated epoch at `turn_open`. */
  readonly authority_epoch: number;
  /** Missing fields take {@link TURN_POLICY_DEFAULTS}. */
  readonly policies?: Partial<TurnPolicies>;
  /** Ingress event id of the user input this turn answers (null: a remapped late event). */
  readonly input_id?: string | null;
  /** The runtime's dependencies, handed unread to the actors and actions it provides. */
  readonly services?: RuntimeLink;
};

/** The terminal a finalizing turn is about to emit once its evidence is in Stage-A. */
export type TerminalCandidate =
  { readonly signal: 'commit' } | { readonly signal: 'abort'; readonly reason: AbortReason };

/** Rank-7 abort codes ("other no-legal-path"): documented codes, catch-all `deterministic_reason`. */
export type NoLegalPathReason = Extract<
  AbortReason,
  'budget_exhausted' | 'execution_plan_denied' | 'deterministic_reason'
>;

/** The one OR-02 evidence request a finalizing turn waits for. */
type EvidenceWait = {
  readonly request_id: string;
  /** What the `evidence` actor is asked to append. */
  readonly request: EvidenceRequested;
  /** When the request was made: the evidence timeout fires relative to it. */
  readonly requested: EventTime;
};

/** Context of the turn machine. */
export type TurnContext = {
  readonly session_id: string;
  readonly turn_id: string;
  readonly pipeline_version: string;
  /** The turn's authority epoch; T12 compares every epoch-stamped event against it. */
  readonly authority_epoch: number;
  readonly policies: TurnPolicies;
  readonly input_id: string | null;
  readonly services: RuntimeLink | undefined;
  /** Ordinal of the last stamped signal/outcome (RK-21 event id suffix); starts at 0. */
  readonly ordinal: number;
  /** Time of the last handled event; outputs never go back in time. */
  readonly now: EventTime;
  /** What the CP bundle and the lease re-gate resolved for RK-04 (steps 5 and 6). */
  readonly plan_request: PlanRequest | null;
  /** Set at `turn_open` (step 9). */
  readonly plan_hash: string | null;
  /** The frozen plan the runtime resolved, handed to the generation and evidence actors. */
  readonly plan: ResolvedTurnPlan | null;
  readonly proposed_at_ms: number | null;
  readonly opened_at_ms: number | null;
  readonly cancel_accepted_at_ms: number | null;
  /** The chosen terminal while finalizing. */
  readonly candidate: TerminalCandidate | null;
  /** Evidence requests made so far (at most 3: first choice, cancel, revoke). */
  readonly evidence_requests: number;
  readonly evidence: EvidenceWait | null;
};

/** Optional epoch stamped by RK-21 on ingress; a mismatch with the turn's epoch is T12. */
type Epoched = { readonly authority_epoch?: number };

/** T1: RK-02's proposal reached the arbiter. */
export type TurnProposeEvent = Timed & Epoched & { readonly type: 'turn.propose' };

/** CP-07 lease resolution as used by the step-6 re-gate. */
type LeaseResolution = {
  readonly authority_epoch: number;
  readonly authority_epoch_valid: boolean;
  readonly authority_authorized: boolean;
};

/** CP-05's boundary-time admission decision; an unknown `outcome_kind` counts as `reject`. */
type CpAdmissionDecision = { readonly outcome_kind: string; readonly reason: string };

/** Result of RK-04 plan resolution. */
type PlanResolution =
  { readonly materialized: true; readonly plan_hash: string } | { readonly materialized: false };

/** What RK-04 freezes a plan from, as the CP turn-start bundle (step 5) resolved it. */
export type PlanRequest = {
  readonly pipeline_version: string;
  readonly graph_definition_ref: string;
  readonly execution_profile: string;
  readonly snapshot_provenance: SnapshotProvenance;
  /** CP-04 output; absent -> CP-04 defaults. */
  readonly allowed_adaptive_actions?: readonly string[];
  /** CP-04 output; absent modalities take the CP-04 default bindings. */
  readonly provider_bindings?: Readonly<Record<string, string>>;
};

/**
 * Facts of the pre-turn checks 1..7 for one proposal (what the runtime's `arbitrate` actor
 * observed); the machine evaluates them in the order of the spec's "Pre-turn evaluation order"
 * table, the first failing step decides, and only a proposal passing all seven is planned.
 */
export type TurnArbitrateEvent = Timed & {
  readonly type: 'turn.arbitrate';
  /** Step 1: admission/routing/ABI/version/policy snapshots are present, fresh and compatible. */
  readonly snapshot_valid: boolean;
  /** Step 2: RK-25 local capacity admits the turn. */
  readonly capacity_ok: boolean;
  /** Step 3/4: the proposal's epoch, the routing view's epoch, and whether it is authorized. */
  readonly requested_epoch: number;
  readonly current_epoch: number;
  readonly authorized: boolean;
  /** Step 5: the CP turn-start bundle resolved (simple-only, not stale). */
  readonly bundle_ok: boolean;
  /** Step 6: CP-07 lease re-gate. */
  readonly lease: LeaseResolution;
  /** Step 7: CP-05 decision. */
  readonly cp_decision: CpAdmissionDecision;
  /** What step 8 freezes the plan from (absent: the plan actor decides from its own inputs). */
  readonly plan_request?: PlanRequest;
};

/** Step 8: the runtime's `plan` actor resolved (or failed to resolve) the turn's plan. */
export type TurnPlanEvent = Timed & {
  readonly type: 'turn.plan';
  readonly plan: PlanResolution;
  /** The frozen plan itself, kept by the turn for its generation and evidence actors. */
  readonly resolved_plan?: ResolvedTurnPlan;
};

/** RK-23 connection signals. */
export type ConnectionSignal = Extract<
  ControlSignalName,
  'connected' | 'reconnecting' | 'disconnected' | 'ended' | 'silence' | 'stall'
>;

/** Failure classes of the active-turn precedence table other than authority, cancel, transport. */
type TurnFailureKind = 'provider' | 'node' | 'baseline_append' | 'no_legal_path';

/** Every event the turn machine accepts. */
export type TurnEvent =
  | TurnProposeEvent
  | TurnArbitrateEvent
  | TurnPlanEvent
  | (Timed & Epoched & { readonly type: 'turn.generation.completed' })
  | (Timed & Epoched & { readonly type: 'turn.cancel' })
  | (Timed & Epoched & { readonly type: 'turn.barge_in' })
  // A revoke is never fenced by T12: safety wins over the epoch check.
  | (Timed & { readonly type: 'turn.revoke' })
  /**
   * RK-24: this placement's authority changed (lease lost, or a new epoch): a live turn of
   * another epoch, or any live turn once unauthorized, is revoked. Never fenced by T12.
   */
  | (Timed & {
      readonly type: 'turn.authority';
      readonly epoch: number;
      readonly authorized: boolean;
    })
  | (Timed &
      Epoched & {
        readonly type: 'turn.failure';
        readonly failure: TurnFailureKind;
        /** Only for `no_legal_path`; anything else becomes `deterministic_reason`. */
        readonly reason?: NoLegalPathReason;
      })
  | (Timed & Epoched & { readonly type: 'turn.connection'; readonly signal: ConnectionSignal })
  | (Timed & Epoched & { readonly type: 'evidence.appended'; readonly request_id: string })
  | (Timed & Epoched & { readonly type: 'evidence.append_failed'; readonly request_id: string })
  | (Timed & Epoched & { readonly type: 'pipeline.event'; readonly node_id?: string });

/** The arbiter asks the runtime to append the OR-02 baseline with this terminal to Stage-A. */
export type EvidenceRequested = {
  readonly type: 'evidence.requested';
  readonly request_id: string;
  readonly session_id: string;
  readonly turn_id: string;
  readonly authority_epoch: number;
  readonly plan_hash: string | null;
  readonly terminal: TerminalCandidate;
  readonly turn_open_proposed_at_ms: number | null;
  readonly turn_open_at_ms: number | null;
  readonly cancel_accepted_at_ms: number | null;
  readonly at_ms: number;
  readonly wall_ms: number;
};

/** T11 `remap`: a late event of a closed turn asks the session for a new `turn_open_proposed`. */
type LateEventRemapped = {
  readonly type: 'turn.late_event.remapped';
  readonly session_id: string;
  readonly turn_id: string;
  readonly event_type: string;
  readonly at_ms: number;
  readonly wall_ms: number;
};

/** T11 `diagnostics`: a late event of a closed turn is reported and otherwise ignored. */
type LateEventReported = {
  readonly type: 'turn.late_event.reported';
  readonly session_id: string;
  readonly turn_id: string;
  readonly event_type: string;
  readonly code: 'late_event_after_close';
  readonly at_ms: number;
  readonly wall_ms: number;
};

/** Everything the turn machine emits. */
export type TurnEmitted =
  | SignalEmitted
  | OutcomeEmitted
  | TransitionEmitted
  | EvidenceRequested
  | LateEventRemapped
  | LateEventReported;

/** What a turn spawned by a session sends its parent for every emitted output, in order. */
export type TurnOutputEvent = {
  readonly type: 'turn.output';
  readonly turn_id: string;
  readonly at_ms: number;
  readonly wall_ms: number;
  readonly output: TurnEmitted;
};

/** Why the turn closes its egress before an early end (RK-16/RK-22 fence causes). */
export type EgressFenceCause = 'cancel' | 'barge_in' | 'stop' | 'authority_epoch_changed';

/** Input of the `arbitrate` actor (while `Opening.arbitrating`): answers with `turn.arbitrate`. */
export type ArbitrationRequest = {
  readonly services: RuntimeLink | undefined;
  readonly session_id: string;
  readonly turn_id: string;
  readonly pipeline_version: string;
  readonly authority_epoch: number;
  readonly input_id: string | null;
  readonly at_ms: number;
  readonly wall_ms: number;
};

/** Input of the `plan` actor (while `Opening.planning`): answers with `turn.plan`. */
export type PlanningRequest = {
  readonly services: RuntimeLink | undefined;
  readonly session_id: string;
  readonly turn_id: string;
  /** The epoch after the step-6 lease re-gate: part of the plan hash. */
  readonly authority_epoch: number;
  readonly request: PlanRequest | null;
  readonly at_ms: number;
  readonly wall_ms: number;
};

/**
 * Input of the `generation` actor (while `Active.running`): runs the turn's graph and answers
 * with `turn.generation.completed` or `turn.failure`; stopped when the turn leaves `running`.
 */
export type GenerationRequest = {
  readonly services: RuntimeLink | undefined;
  readonly session_id: string;
  readonly turn_id: string;
  readonly pipeline_version: string;
  readonly authority_epoch: number;
  readonly plan: ResolvedTurnPlan | null;
  readonly at_ms: number;
  readonly wall_ms: number;
};

/**
 * Input of the `evidence` actor (while finalizing): appends the OR-02 baseline for the chosen
 * terminal and answers with `evidence.appended` or `evidence.append_failed`; a new request
 * (a higher-precedence terminal) stops the previous actor.
 */
export type EvidenceAppendRequest = {
  readonly services: RuntimeLink | undefined;
  readonly plan: ResolvedTurnPlan | null;
  readonly input_id: string | null;
  /** Null only outside a finalizing state (never, as the machine invokes it). */
  readonly request: EvidenceRequested | null;
};

/** What the `generation` actor is told just before it is stopped for an early end. */
export type GenerationCancel = {
  readonly type: 'generation.cancel';
  readonly kind: 'cancel' | 'barge_in';
  readonly at_ms: number;
  readonly wall_ms: number;
};
