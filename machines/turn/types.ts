/**
 * Types of the turn machine (RK-03 turn arbiter): input and policies, context, the events it
 * accepts, and the machine-specific facts it emits next to the contract artifacts.
 */
import type { AbortReason, ControlSignalName } from '../../contracts/index.ts';
import type { EventTime } from '../node/clock.ts';
import type { OutcomeEmitted, SignalEmitted, Timed, TransitionEmitted } from '../outputs.ts';

/** Outcome of a pre-turn step whose configured result is either `defer` or `reject`. */
export type PreTurnOutcomeKind = 'defer' | 'reject';

/** What a closed turn does with a late event of its own (T11); fixed for the turn's lifetime. */
export type LateEventPolicy = 'drop' | 'remap' | 'diagnostics';

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
export type EvidenceWait = {
  readonly request_id: string;
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
  /** Ordinal of the last stamped signal/outcome (RK-21 event id suffix); starts at 0. */
  readonly ordinal: number;
  /** Time of the last handled event; outputs never go back in time. */
  readonly now: EventTime;
  /** Set at `turn_open` (step 9). */
  readonly plan_hash: string | null;
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
export type LeaseResolution = {
  readonly authority_epoch: number;
  readonly authority_epoch_valid: boolean;
  readonly authority_authorized: boolean;
};

/** CP-05's boundary-time admission decision; an unknown `outcome_kind` counts as `reject`. */
export type CpAdmissionDecision = { readonly outcome_kind: string; readonly reason: string };

/** Result of RK-04 plan resolution. */
export type PlanResolution =
  { readonly materialized: true; readonly plan_hash: string } | { readonly materialized: false };

/**
 * Results of every pre-turn check for one proposal, evaluated in the order of the spec's
 * "Pre-turn evaluation order" table (steps 1..9); the first failing step decides.
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
  /** Step 8: RK-04 plan materialization. */
  readonly plan: PlanResolution;
};

/** Conditions observed together at one active-turn arbitration point (ties resolved by rank). */
export type TurnConditions = {
  readonly authority_revoked?: boolean;
  readonly cancel_accepted?: boolean;
  readonly provider_failure?: boolean;
  readonly node_failure?: boolean;
  readonly transport_lost?: boolean;
  readonly baseline_append_failed?: boolean;
  readonly no_legal_path?: NoLegalPathReason;
  readonly generation_completed?: boolean;
};

/** RK-23 connection signals. */
export type ConnectionSignal = Extract<
  ControlSignalName,
  'connected' | 'reconnecting' | 'disconnected' | 'ended' | 'silence' | 'stall'
>;

/** Failure classes of the active-turn precedence table other than authority, cancel, transport. */
export type TurnFailureKind = 'provider' | 'node' | 'baseline_append' | 'no_legal_path';

/** Every event the turn machine accepts. */
export type TurnEvent =
  | TurnProposeEvent
  | TurnArbitrateEvent
  | (Timed & Epoched & { readonly type: 'turn.generation.completed' })
  | (Timed & Epoched & { readonly type: 'turn.cancel' })
  | (Timed & Epoched & { readonly type: 'turn.barge_in' })
  // A revoke is never fenced by T12: safety wins over the epoch check.
  | (Timed & { readonly type: 'turn.revoke' })
  | (Timed &
      Epoched & {
        readonly type: 'turn.failure';
        readonly failure: TurnFailureKind;
        /** Only for `no_legal_path`; anything else becomes `deterministic_reason`. */
        readonly reason?: NoLegalPathReason;
      })
  | (Timed & Epoched & TurnConditions & { readonly type: 'turn.conditions' })
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
export type LateEventRemapped = {
  readonly type: 'turn.late_event.remapped';
  readonly session_id: string;
  readonly turn_id: string;
  readonly event_type: string;
  readonly at_ms: number;
  readonly wall_ms: number;
};

/** T11 `diagnostics`: a late event of a closed turn is reported and otherwise ignored. */
export type LateEventReported = {
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
