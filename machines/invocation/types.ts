/**
 * Types of the invocation machine (RK-11 provider invocation controller): input, context,
 * per-attempt request, normalized attempt outcome, accepted events, emitted evidence and output.
 */
import type { InvocationAttempt } from '../../contracts/index.ts';
import type {
  AdaptiveAction,
  InvocationModality,
  InvocationOutcome,
  OutcomeClass,
  RetryDecision,
} from '../../contracts/internal.ts';
import type { RuntimeLink, SignalEmitted, Timed } from '../outputs.ts';
import type { StampIdentity } from '../stamp.ts';
import type { EventTime } from '../node/clock.ts';

export type { InvocationModality, RetryDecision };

/** The adaptive actions RK-11 understands (`degrade` is plan-level, ignored here). */
export type InvocationAction = 'fallback' | 'provider_switch' | 'retry';

/** Input of the invocation machine. */
export type InvocationInput = {
  readonly identity: StampIdentity;
  readonly event_id: string;
  readonly modality: InvocationModality;
  readonly preferred_provider_id: string;
  /** The modality's catalogue (RK-10); duplicates are ignored. */
  readonly provider_ids: readonly string[];
  /** The plan's frozen actions; only `retry`, `provider_switch`, `fallback` apply. */
  readonly allowed_adaptive_actions: readonly AdaptiveAction[];
  /** Integer >= 1, default 2. */
  readonly max_attempts_per_provider?: number;
  /** Integer 1..5, default 5. */
  readonly max_candidates?: number;
  /** Per-attempt timeout (a statechart delay), default by modality. */
  readonly attempt_timeout_ms?: number;
  /** Default `pvi/<session_id>/<turn_id or session_id>/<event_id>/<modality>`. */
  readonly provider_invocation_id?: string;
  /** First ordinal of this machine's stamped outputs (RK-21 restamps bus-wide); default 0. */
  readonly ordinal_base?: number;
  /**
   * Providers that declare a safe resume: a retry of theirs after output was delivered yields
   * the same output again, so the runtime skips what was already delivered. Without it, an
   * attempt that delivered output is never retried, switched or fallen back from.
   */
  readonly resumable_provider_ids?: readonly string[];
  /** Runtime dependencies for the `attempt` actor the runtime provides (never read here). */
  readonly services?: RuntimeLink;
};

/** Outcome of one attempt as an adapter reports it. */
export type AttemptOutcome = {
  readonly class: OutcomeClass;
  readonly retryable: boolean;
  /** Required unless `success`. */
  readonly reason?: string;
  /** Never with `success`. */
  readonly circuit_open?: boolean;
  readonly backoff_ms?: number;
};

/** An attempt outcome after normalization (total: every field present and legal). */
export type NormalizedOutcome = {
  readonly class: OutcomeClass;
  readonly retryable: boolean;
  readonly reason: string | null;
  readonly circuit_open: boolean;
  readonly backoff_ms: number;
};

/** The per-attempt request handed to the `attempt` actor (providers-transport.md). */
export type AttemptRequest = {
  readonly session_id: string;
  /** Empty for a session-scoped invocation. */
  readonly turn_id: string;
  readonly pipeline_version: string;
  readonly event_id: string;
  readonly provider_invocation_id: string;
  readonly provider_id: string;
  readonly modality: InvocationModality;
  /** 1-based attempt number on this provider. */
  readonly attempt: number;
  readonly transport_sequence: number;
  readonly runtime_sequence: number;
  readonly authority_epoch: number;
  readonly runtime_timestamp_ms: number;
  readonly wall_clock_timestamp_ms: number;
  readonly cancel_requested: boolean;
  readonly allowed_adaptive_actions: readonly InvocationAction[];
  readonly retry_budget_remaining: number;
  readonly candidate_provider_count: number;
  /** Runtime dependencies handed to the runtime's `attempt` actor (never read by the machine). */
  readonly services?: RuntimeLink;
};

/** Per-attempt evidence record (replay.md; schema `invocation_attempt`). */
export type InvocationAttemptRecord = InvocationAttempt;

/** Terminal invocation outcome (replay.md; schema `invocation_outcome`). */
export type InvocationOutcomeRecord = InvocationOutcome;

/** Which final state the invocation reached. */
export type InvocationStatus = 'succeeded' | 'cancelled' | 'exhausted' | 'blocked';

/** How an invocation ended (carried by `invocation.outcome`). */
export type InvocationResult = {
  readonly status: InvocationStatus;
  readonly provider_invocation_id: string;
  /** The last provider attempted (the preferred one when none was). */
  readonly provider_id: string;
  readonly outcome_class: OutcomeClass;
  /** Null only for `success`. */
  readonly reason: string | null;
  readonly attempt_count: number;
  /** The schema-valid outcome record; null when no attempt ran (attempt_count >= 1 is required). */
  readonly outcome: InvocationOutcomeRecord | null;
  /** Some attempt delivered output downstream (a failure then ends with what was delivered). */
  readonly delivered: boolean;
};

/** Output of the invocation machine: its result and when it ended. */
export type InvocationOutput = InvocationResult & EventTime;

/** Start the first attempt. */
type InvocationStart = Timed & { readonly type: 'invocation.start' };
/** Cancel the invocation (before or during an attempt, or during a backoff). */
type InvocationCancel = Timed & { readonly type: 'invocation.cancel' };
/** The attempt actor's normalized outcome; a mismatching `provider_id`/`attempt` is stale. */
export type AttemptResult = Timed & {
  readonly type: 'attempt.result';
  readonly outcome: AttemptOutcome;
  readonly provider_id?: string;
  readonly attempt?: number;
};

/** Every event the invocation machine accepts (plus its own `xstate.after.*` timers). */
/** The attempt actor forwarded its first item downstream: output has been delivered. */
type AttemptOutput = Timed & {
  readonly type: 'attempt.output';
  readonly provider_id?: string;
  readonly attempt?: number;
};

export type InvocationEvent = InvocationStart | InvocationCancel | AttemptResult | AttemptOutput;

/** A signal or attempt record an invocation with a parent (a node) reports to it. */
export type InvocationReport = {
  readonly type: 'invocation.report';
  readonly output: SignalEmitted | InvocationAttemptEmitted;
};

/** What an invocation tells its parent (the node) when its first output was delivered. */
export type InvocationOutputStarted = Timed & { readonly type: 'invocation.output_started' };

/** Per-attempt evidence, emitted when the attempt's retry decision is known. */
export type InvocationAttemptEmitted = {
  readonly type: 'invocation.attempt';
  readonly record: InvocationAttemptRecord;
};

/** The invocation ended; `at_ms`/`wall_ms` make it a timed event other machines accept. */
export type InvocationOutcomeEmitted = {
  readonly type: 'invocation.outcome';
  readonly result: InvocationResult;
  readonly at_ms: number;
  readonly wall_ms: number;
};

/** Everything the invocation machine emits, in the order produced. */
export type InvocationEmitted = SignalEmitted | InvocationAttemptEmitted | InvocationOutcomeEmitted;

/** One finished attempt. */
export type SettledAttempt = {
  readonly provider_id: string;
  readonly attempt: number;
  /** 1-based attempt number across all providers (`<n>` of signal event ids). */
  readonly attempt_index: number;
  readonly ordinal: number;
  readonly outcome: NormalizedOutcome;
  readonly started: EventTime;
  readonly ended: EventTime;
  readonly latency_ms: number;
};

/** Context of the invocation machine. */
export type InvocationContext = {
  readonly identity: StampIdentity;
  readonly event_id: string;
  readonly modality: InvocationModality;
  readonly provider_invocation_id: string;
  readonly preferred_provider_id: string;
  /** Preferred first, then the rest by provider_id ascending, at most `max_candidates`. */
  readonly candidates: readonly string[];
  readonly preferred_missing: boolean;
  readonly max_attempts: number;
  readonly allowed: readonly InvocationAction[];
  readonly timeout_ms: number;
  readonly ordinal_base: number;
  /** Ordinals used so far (attempts and signals). */
  readonly seq: number;
  readonly now: EventTime;
  readonly provider_index: number;
  /** Attempt number on the current provider (0 before the first attempt). */
  readonly provider_attempt: number;
  readonly attempt_count: number;
  readonly first_started: EventTime | null;
  readonly attempt_started: EventTime;
  readonly attempt_ordinal: number;
  readonly last: SettledAttempt | null;
  /** Set when the invocation ends other than by an attempt outcome (cancel, blocked). */
  readonly ended: { readonly time: EventTime; readonly outcome: NormalizedOutcome } | null;
  readonly result: InvocationResult | null;
  /** Some attempt delivered output: only a resumable provider may then retry. */
  readonly delivered: boolean;
  readonly resumable: readonly string[];
  readonly services: RuntimeLink | undefined;
};
