/**
 * Types of the node machine (RK-08 node runtime host with RK-17 node budgets): input, context,
 * accepted events, emitted effects, output, and the input normalization that detects budget
 * config errors without throwing.
 */
import type { AdaptiveAction } from '../../contracts/internal.ts';
import type {
  InvocationAttemptEmitted,
  InvocationInput,
  InvocationOutcomeEmitted,
  InvocationOutputStarted,
  InvocationReport,
} from '../invocation/types.ts';
import type { SignalEmitted, Timed } from '../outputs.ts';
import type { StampIdentity } from '../stamp.ts';
import { nonNegativeInt, startTime, type EventTime } from './clock.ts';

/** RK-08 default node budget (ms): warning threshold and exhaustion deadline. */
export const NODE_BUDGET_DEFAULTS = { warn_ms: 1200, exhaust_ms: 1500 } as const;

/**
 * A node's time budget in ms: time to its first output, measured from its dispatch (or from the
 * switch to its fallback). Once output flows the budget is met: a long spoken reply is never cut
 * by a budget meant for responsiveness.
 */
export type NodeBudget = { readonly warn_ms: number; readonly exhaust_ms: number };

/** Input of the node machine. */
export type NodeInput = {
  readonly identity: StampIdentity;
  readonly node_id: string;
  /** Missing fields take `NODE_BUDGET_DEFAULTS`; `warn_ms > exhaust_ms` is a config error. */
  readonly budget?: Partial<NodeBudget>;
  /** The plan's frozen `allowed_adaptive_actions`; only `degrade` and `fallback` matter here. */
  readonly allowed_adaptive_actions: readonly AdaptiveAction[];
  /** The node's RK-11 invocation, run as the child `invocation`. */
  readonly invocation: InvocationInput;
  /**
   * The pre-resolved fallback branch (RK-07): the invocation run instead once the node decides
   * `fallback`. Without one, `fallback` is not a legal decision for this node.
   */
  readonly fallback?: InvocationInput;
  /** Runtime ms at which the node was dispatched (budget timers start here); default 0. */
  readonly started_at_ms?: number;
  /** Wall-clock ms of the dispatch; default `started_at_ms`. */
  readonly started_wall_ms?: number;
  /** First ordinal of this machine's stamped signals (RK-21 restamps bus-wide); default 0. */
  readonly ordinal_base?: number;
};

/** The RK-17 decision kinds, from "continue" to "terminate". */
type NodeDecisionKind =
  'continue_within_budget' | 'continue_with_warning' | 'degrade' | 'fallback' | 'terminate';

/** What made the node decide. */
type NodeDecisionCause =
  | 'start'
  | 'budget_warning'
  | 'budget_exhausted'
  | 'node_error'
  | 'node_crash'
  | 'provider_failure'
  | 'config_error';

/** The reason code attached to a decision (exact codes of modules.md and lifecycle.md). */
type NodeDecisionReason =
  | 'within_budget'
  | 'node_budget_threshold_exceeded'
  | 'node_timeout_or_failure'
  | 'provider_failure';

/** The abort reason a terminating node asks the turn for (lifecycle.md ranks 3 and 4). */
type NodeAbortReason = 'node_timeout_or_failure' | 'provider_failure';

/** The node's current RK-17 decision, exposed as data in context, output and `node.decision`. */
export type NodeDecision = {
  readonly kind: NodeDecisionKind;
  readonly reason: NodeDecisionReason;
  readonly cause: NodeDecisionCause;
  readonly at_ms: number;
  /** Runtime ms since the node started. */
  readonly elapsed_ms: number;
};

/** A failure waiting for (or given) a degrade/fallback/terminate decision. */
export type NodeFailure = {
  readonly cause: Exclude<NodeDecisionCause, 'start' | 'budget_warning'>;
  readonly reason: NodeAbortReason;
  readonly detail: string;
  readonly time: EventTime;
};

/** Adaptation level reached; decisions only escalate (normal -> degraded -> fallback). */
type NodeMode = 'normal' | 'degraded' | 'fallback';

/** Where the node ended, or `active` while it runs. */
type NodeStatus = 'active' | 'done' | 'cancelled' | 'failed';

/** Context of the node machine. */
export type NodeContext = {
  readonly identity: StampIdentity;
  readonly node_id: string;
  readonly budget: NodeBudget;
  readonly allow_degrade: boolean;
  readonly allow_fallback: boolean;
  readonly invocation: InvocationInput;
  readonly fallback: InvocationInput | null;
  /** Non-null when the budget config is invalid; the machine then starts in `failed`. */
  readonly config_error: string | null;
  readonly started: EventTime;
  /** When the running budget started: the node's dispatch, or its switch to the fallback. */
  readonly budget_from: EventTime;
  readonly now: EventTime;
  readonly ordinal_base: number;
  /** Signals stamped so far; the next signal's ordinal is `ordinal_base + seq + 1`. */
  readonly seq: number;
  readonly mode: NodeMode;
  readonly status: NodeStatus;
  readonly decision: NodeDecision;
  readonly failure: NodeFailure | null;
  readonly abort_reason: NodeAbortReason | null;
  /** What a terminated node asks its turn for; reported to the parent from `failed`. */
  readonly abort_request: NodeAbortRequested | null;
  readonly first_output_at_ms: number | null;
};

/** A chunk of node output was produced (DataLane payload travels outside the machine). */
type NodeChunkProduced = Timed & { readonly type: 'node.chunk.produced' };
/** The node finished its output. */
type NodeCompleted = Timed & { readonly type: 'node.completed' };
/** The node handler failed: `error` (recoverable or not) or `crash` (never recoverable). */
export type NodeErrorRaised = Timed & {
  readonly type: 'node.error.raised';
  readonly kind: 'error' | 'crash';
  readonly recoverable?: boolean;
  /** Stable error code; never user content. */
  readonly code?: string;
};
/** Cancel the node (RK-16, scope node or turn): runs `on_cancel`. */
export type NodeCancel = Timed & { readonly type: 'node.cancel' };
/** Barge-in reached the node: runs `on_barge_in`. */
export type NodeBargeIn = Timed & { readonly type: 'node.barge_in' };

/** Every event the node machine accepts (plus its own `xstate.after.*` budget timers). */
export type NodeEvent =
  | NodeChunkProduced
  | InvocationOutputStarted
  | NodeCompleted
  | NodeErrorRaised
  | InvocationOutcomeEmitted
  | InvocationReport
  | NodeCancel
  | NodeBargeIn;

/** A decision was taken (data for OR-02 decision provenance). */
export type NodeDecisionEmitted = {
  readonly type: 'node.decision';
  readonly node_id: string;
  readonly budget: NodeBudget;
  readonly decision: NodeDecision;
};

/** The node host asks the runtime to run one of the node's RK-08 hooks. */
export type NodeHookEmitted = {
  readonly type: 'node.hook';
  readonly node_id: string;
  readonly hook: 'on_cancel' | 'on_barge_in' | 'on_budget_exhausted';
  readonly at_ms: number;
  readonly wall_ms: number;
};

/** No legal continue/degrade/fallback is left: the turn should `abort(reason)` (T10). */
export type NodeAbortRequested = {
  readonly type: 'node.abort.requested';
  readonly node_id: string;
  readonly reason: NodeAbortReason;
  /** The turn's `turn.failure` kind: `provider` (rank 3) or `node` (rank 4). */
  readonly failure: 'node' | 'provider';
  readonly cause: NodeFailure['cause'];
  readonly detail: string;
  readonly at_ms: number;
  readonly wall_ms: number;
};

/** Everything the node machine emits, in the order produced. */
export type NodeEmitted =
  | SignalEmitted
  | NodeDecisionEmitted
  | NodeHookEmitted
  | NodeAbortRequested
  /** Per-attempt evidence of the node's invocation, relayed. */
  | InvocationAttemptEmitted;

/** Output of the node machine when it reaches a final state. */
export type NodeOutput = {
  readonly node_id: string;
  readonly status: Exclude<NodeStatus, 'active'>;
  readonly mode: NodeMode;
  readonly decision: NodeDecision;
  readonly abort_reason: NodeAbortReason | null;
  /** For a failed node, the turn's `turn.failure` kind: `provider` (rank 3) or `node` (rank 4). */
  readonly failure: 'node' | 'provider' | null;
  readonly config_error: string | null;
};

/** Names a budget value that is not a finite number >= 0, or null when it is one. */
function invalidBudgetValue(name: string, value: number): string | null {
  return Number.isFinite(value) && value >= 0
    ? null
    : `node budget: ${name} must be a finite number >= 0, got ${String(value)}`;
}

/** Resolves the budget and reports the first config error (never throws). */
export function resolveBudget(budget: Partial<NodeBudget> | undefined): {
  budget: NodeBudget;
  error: string | null;
} {
  const warn = budget?.warn_ms ?? NODE_BUDGET_DEFAULTS.warn_ms;
  const exhaust = budget?.exhaust_ms ?? NODE_BUDGET_DEFAULTS.exhaust_ms;
  const error =
    invalidBudgetValue('warn_ms', warn) ??
    invalidBudgetValue('exhaust_ms', exhaust) ??
    (warn > exhaust
      ? `node budget: warn_ms (${String(warn)}) must be <= exhaust_ms (${String(exhaust)})`
      : null);
  // Timers need valid numbers even when the config is rejected (they never start then).
  const warn_ms = nonNegativeInt(warn);
  return { budget: { warn_ms, exhaust_ms: Math.max(warn_ms, nonNegativeInt(exhaust)) }, error };
}

/** Builds the initial context from the input. */
export function initialNodeContext(input: NodeInput): NodeContext {
  const { budget, error } = resolveBudget(input.budget);
  const started = startTime(input.started_at_ms, input.started_wall_ms);
  return {
    identity: input.identity,
    node_id: input.node_id,
    budget,
    allow_degrade: input.allowed_adaptive_actions.includes('degrade'),
    allow_fallback:
      input.allowed_adaptive_actions.includes('fallback') && input.fallback !== undefined,
    invocation: input.invocation,
    fallback: input.fallback ?? null,
    config_error: error,
    started,
    budget_from: started,
    now: started,
    ordinal_base: nonNegativeInt(input.ordinal_base),
    seq: 0,
    mode: 'normal',
    status: 'active',
    decision: {
      kind: 'continue_within_budget',
      reason: 'within_budget',
      cause: 'start',
      at_ms: started.at_ms,
      elapsed_ms: 0,
    },
    failure: null,
    abort_reason: null,
    abort_request: null,
    first_output_at_ms: null,
  };
}
