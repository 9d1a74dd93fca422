/**
 * Types of the OR-02 Stage-A recorder: regions and their bounds, stored entries, append results
 * and counters (spec/replay.md "Stage-A / Stage-B").
 */
import type {
  ContractValidator,
  ControlSignal,
  DecisionOutcome,
  InvocationAttempt,
  ValidationIssue,
} from '../../contracts/index.ts';
import type { BaselineEvidence, InvocationOutcome } from '../../contracts/internal.ts';

/** The separate bounded regions of Stage-A. */
export type StageARegion = 'baseline' | 'detail' | 'attempts' | 'invocation_snapshots';

/** Capacity of each region, in entries. */
export type StageALimits = {
  /** Baseline records plus terminal markers, including the reserve. */
  readonly baseline: number;
  /** Baseline slots only terminal markers may take (>= 3: a T9 needs failed-append, abort, close). */
  readonly baseline_reserve: number;
  /** Non-terminal control signals and decision outcomes. */
  readonly detail: number;
  /** Per-attempt records (RK-11). */
  readonly attempts: number;
  /** Non-terminal invocation snapshots, when enabled. */
  readonly invocation_snapshots: number;
};

/** Default region bounds. */
export const STAGE_A_DEFAULT_LIMITS: StageALimits = {
  baseline: 256,
  baseline_reserve: 9,
  detail: 4096,
  attempts: 1024,
  invocation_snapshots: 256,
};

/** Config-gated non-terminal invocation snapshot: invocation outcome + identity + timestamps. */
export type InvocationSnapshot = InvocationOutcome & {
  readonly session_id: string;
  readonly turn_id: string;
  readonly pipeline_version: string;
  readonly event_id: string;
  readonly authority_epoch: number;
  readonly runtime_timestamp_ms: number;
  readonly wall_clock_timestamp_ms: number;
};

/** Why a baseline append failed; the runtime maps every one to T9. */
export type BaselineFailureReason =
  /** Fault injection (`failBaselineAppends`). */
  | 'fault_injected'
  /** The record is not a complete, contract-valid `baseline_evidence`. */
  | 'incomplete_baseline'
  /** The record belongs to another session than the recorder's. */
  | 'session_mismatch'
  /** The turn already has a baseline record (one per turn). */
  | 'duplicate_baseline'
  /** Only the reserve is left, and it is kept for terminal markers. */
  | 'baseline_region_full';

/** Internal marker of a failed baseline append (T9 "failed-append marker"). */
export type AppendFailedMarker = {
  readonly session_id: string;
  readonly turn_id: string | null;
  readonly request_id: string | null;
  readonly reason: BaselineFailureReason;
  readonly at_ms: number | null;
};

/** One stored entry; `seq` is the recorder-wide append order. */
export type StageAEntry =
  | { readonly seq: number; readonly kind: 'baseline'; readonly record: BaselineEvidence }
  | { readonly seq: number; readonly kind: 'terminal_signal'; readonly record: ControlSignal }
  | { readonly seq: number; readonly kind: 'append_failed'; readonly record: AppendFailedMarker }
  | { readonly seq: number; readonly kind: 'recording_signal'; readonly record: ControlSignal }
  | { readonly seq: number; readonly kind: 'signal'; readonly record: ControlSignal }
  | { readonly seq: number; readonly kind: 'decision'; readonly record: DecisionOutcome }
  | { readonly seq: number; readonly kind: 'attempt'; readonly record: InvocationAttempt }
  | {
      readonly seq: number;
      readonly kind: 'invocation_snapshot';
      readonly record: InvocationSnapshot;
    };

/** Kind of a stored entry. */
export type StageAEntryKind = StageAEntry['kind'];

/** Result of a baseline append: the validated record, or why it failed (-> T9). */
export type BaselineAppendResult =
  | { readonly ok: true; readonly record: BaselineEvidence }
  | {
      readonly ok: false;
      readonly reason: BaselineFailureReason;
      readonly issues: readonly ValidationIssue[];
    };

/** Why a signal, decision, attempt or snapshot was not stored. */
export type DetailFailureReason =
  /** The region is full: the entry is dropped (counted); detail never causes T9. */
  | 'stage_a_detail_overflow'
  /** A terminal marker found even the reserve full. */
  | 'baseline_reserve_exhausted'
  /** A `recording_level_downgraded` signal found the unreserved baseline slots full. */
  | 'baseline_region_full'
  /** A terminal signal (`commit`/`abort`/`close`) failed contract validation. */
  | 'invalid_terminal_marker'
  /** Invocation snapshots are off (the default). */
  | 'region_disabled'
  /** The entry belongs to another session than the recorder's. */
  | 'session_mismatch';

/**
 * Result of any non-baseline append. On the first overflow of a (session, turn), `downgrade` is
 * the `recording_level_downgraded` signal for the caller to publish (and record like any signal).
 */
export type DetailAppendResult =
  | { readonly ok: true; readonly region: StageARegion }
  | {
      readonly ok: false;
      readonly reason: DetailFailureReason;
      readonly downgrade: ControlSignal | null;
    };

/** Counters of one region. */
export type StageARegionStats = {
  readonly size: number;
  readonly capacity: number;
  /** Entries refused because the region was full. */
  readonly dropped: number;
};

/** Counters of a recorder. */
export type StageAStats = {
  readonly regions: Readonly<Record<StageARegion, StageARegionStats>>;
  readonly baseline_failures: number;
  readonly downgrades: number;
};

/** Options of `createStageARecorder`. */
export type StageARecorderOptions = {
  /** The one session this recorder holds evidence of. */
  readonly session_id: string;
  readonly pipeline_version: string;
  /** Epoch stamped on a downgrade signal when the dropped entry carries none (default 0). */
  readonly authority_epoch?: number;
  /** Region bounds; missing ones take {@link STAGE_A_DEFAULT_LIMITS}. */
  readonly limits?: Partial<StageALimits>;
  /** Record invocation snapshots (config-gated, off by default). */
  readonly invocationSnapshots?: boolean;
  /** Fault injection: every baseline append fails with `fault_injected` (drives T9 in tests). */
  readonly failBaselineAppends?: boolean;
  /** Validator of baseline records and terminal markers; defaults to a new contract validator. */
  readonly validator?: ContractValidator;
};

/** Where a baseline append comes from, for the failed-append marker. */
export type BaselineAppendContext = {
  readonly request_id?: string;
  readonly at_ms?: number;
};

/** The OR-02 Stage-A recorder: synchronous, bounded, never blocking, never throwing. */
export interface StageARecorder {
  /** Validates and stores one baseline record; any failure leaves a failed-append marker. */
  appendBaseline(record: unknown, context?: BaselineAppendContext): BaselineAppendResult;
  /** Stores a ControlLane signal: terminal ones as terminal markers, the rest as detail. */
  appendSignal(signal: ControlSignal): DetailAppendResult;
  /** Stores a decision outcome as detail. */
  appendDecision(outcome: DecisionOutcome): DetailAppendResult;
  /** Stores a per-attempt record. */
  appendAttempt(attempt: InvocationAttempt): DetailAppendResult;
  /** Stores an invocation snapshot when enabled. */
  appendInvocationSnapshot(snapshot: InvocationSnapshot): DetailAppendResult;
  /** Stored entries in append order, optionally of some kinds only. */
  entries(kinds?: readonly StageAEntryKind[]): readonly StageAEntry[];
  /**
   * Hands entries to `take` in append order and removes each one it accepts, freeing its slot;
   * stops at the first refusal (backpressure) so nothing is lost. Returns how many were removed.
   */
  drain(take: (entry: StageAEntry) => boolean): number;
  /** Current counters. */
  stats(): StageAStats;
}
