/**
 * Pure, total step functions of the node machine: each returns the context patch and the
 * ordered effects of one transition. The machine picks the step with guards; these functions
 * never decide, they only stamp.
 */
import { stampSignal } from '../stamp.ts';
import type { SignalEmitted } from '../outputs.ts';
import type { InvocationOutcomeEmitted } from '../invocation/types.ts';
import { later, timeAfter, timeOf, type EventTime } from './clock.ts';
import type {
  NodeAbortRequested,
  NodeBargeIn,
  NodeCancel,
  NodeContext,
  NodeDecision,
  NodeDecisionEmitted,
  NodeEmitted,
  NodeErrorRaised,
  NodeFailure,
  NodeHookEmitted,
} from './types.ts';
import type { Timed } from '../outputs.ts';

/** The context patch and ordered effects of one node transition. */
export type NodeStep = {
  readonly context: Partial<NodeContext>;
  readonly emitted: readonly NodeEmitted[];
};

type BudgetSignal = 'budget_warning' | 'budget_exhausted' | 'degrade' | 'fallback';

/** Stamps an RK-17 node-scoped signal with the machine's next ordinal. */
function budgetSignal(
  context: NodeContext,
  seq: number,
  time: EventTime,
  signal: BudgetSignal,
  reason: string,
): SignalEmitted {
  const stamped = stampSignal(
    context.identity,
    { runtime_ms: time.at_ms, wall_ms: time.wall_ms },
    context.ordinal_base + seq,
    {
      signal,
      emitted_by: 'RK-17',
      event_scope: context.identity.turn_id === undefined ? 'session' : 'turn',
      reason,
      scope: 'node',
      node_id: context.node_id,
    },
  );
  return { type: 'control.signal', signal: stamped };
}

function decisionAt(
  context: NodeContext,
  time: EventTime,
  fields: Pick<NodeDecision, 'kind' | 'reason' | 'cause'>,
): NodeDecision {
  return { ...fields, at_ms: time.at_ms, elapsed_ms: time.at_ms - context.started.at_ms };
}

function decisionEmitted(context: NodeContext, decision: NodeDecision): NodeDecisionEmitted {
  return { type: 'node.decision', node_id: context.node_id, budget: context.budget, decision };
}

/** Warning threshold crossed without output: `budget_warning` and continue (budget start + warn_ms). */
export function warnStep(context: NodeContext): NodeStep {
  const time = timeAfter(context.budget_from, context.budget.warn_ms);
  const seq = context.seq + 1;
  const decision = decisionAt(context, time, {
    kind: 'continue_with_warning',
    reason: 'node_budget_threshold_exceeded',
    cause: 'budget_warning',
  });
  return {
    context: { seq, now: later(context.now, time), decision },
    emitted: [
      budgetSignal(context, seq, time, 'budget_warning', 'node_budget_threshold_exceeded'),
      decisionEmitted(context, decision),
    ],
  };
}

/**
 * No output within the budget (fires at budget start + exhaust_ms): `budget_exhausted`,
 * `on_budget_exhausted`.
 */
export function exhaustStep(context: NodeContext): NodeStep {
  const time = timeAfter(context.budget_from, context.budget.exhaust_ms);
  const seq = context.seq + 1;
  const failure: NodeFailure = {
    cause: 'budget_exhausted',
    reason: 'node_timeout_or_failure',
    detail: `no output within the node budget of ${String(context.budget.exhaust_ms)} ms`,
    time,
  };
  const hook: NodeHookEmitted = {
    type: 'node.hook',
    node_id: context.node_id,
    hook: 'on_budget_exhausted',
    at_ms: time.at_ms,
    wall_ms: time.wall_ms,
  };
  return {
    context: { seq, now: later(context.now, time), failure },
    emitted: [
      budgetSignal(context, seq, time, 'budget_exhausted', 'node_timeout_or_failure'),
      hook,
    ],
  };
}

/** A non-recoverable node error or crash, to be decided (no signal: budget is not involved). */
export function nodeFailureStep(context: NodeContext, event: NodeErrorRaised): NodeStep {
  const time = timeOf(context.now, event);
  const code = event.code === undefined ? '' : ` code=${event.code}`;
  const failure: NodeFailure = {
    cause: event.kind === 'crash' ? 'node_crash' : 'node_error',
    reason: 'node_timeout_or_failure',
    detail: `node ${event.kind}${code}`,
    time,
  };
  return { context: { now: time, failure }, emitted: [] };
}

/** The node's provider invocation failed for good (RK-11 gave up), to be decided. */
export function providerFailureStep(
  context: NodeContext,
  event: InvocationOutcomeEmitted,
): NodeStep {
  const time = timeOf(context.now, event);
  const { result } = event;
  const failure: NodeFailure = {
    cause: 'provider_failure',
    reason: 'provider_failure',
    detail: `provider invocation ${result.provider_invocation_id} ended ${result.outcome_class} (${result.reason ?? 'no reason'})`,
    time,
  };
  return { context: { now: time, failure }, emitted: [] };
}

/** An event that changes nothing but time (recoverable error, provider success or cancel). */
export function timeStep(context: NodeContext, event: Timed): NodeStep {
  return { context: { now: timeOf(context.now, event) }, emitted: [] };
}

/** A chunk was produced: remember the first output time. */
export function outputStep(context: NodeContext, event: Timed): NodeStep {
  const now = timeOf(context.now, event);
  return {
    context: { now, first_output_at_ms: context.first_output_at_ms ?? now.at_ms },
    emitted: [],
  };
}

/** The node completed its output. */
export function completeStep(context: NodeContext, event: Timed): NodeStep {
  return { context: { now: timeOf(context.now, event), status: 'done' }, emitted: [] };
}

/** A degraded node whose invocation ended: it ends with the output it already delivered. */
export function completeDegradedStep(_context: NodeContext): NodeStep {
  return { context: { status: 'done' }, emitted: [] };
}

/** Cancel or barge-in: run the matching RK-08 hook and end `cancelled`. */
export function cancelStep(context: NodeContext, event: NodeCancel | NodeBargeIn): NodeStep {
  const time = timeOf(context.now, event);
  const hook: NodeHookEmitted = {
    type: 'node.hook',
    node_id: context.node_id,
    hook: event.type === 'node.cancel' ? 'on_cancel' : 'on_barge_in',
    at_ms: time.at_ms,
    wall_ms: time.wall_ms,
  };
  return { context: { now: time, status: 'cancelled' }, emitted: [hook] };
}

/** The pending failure, or a generic one if none was recorded (keeps the steps total). */
function pendingFailure(context: NodeContext): NodeFailure {
  return (
    context.failure ?? {
      cause: 'node_error',
      reason: 'node_timeout_or_failure',
      detail: 'node failure',
      time: context.now,
    }
  );
}

/** Adapt to the pending failure with `degrade` or `fallback` (allowed by the plan). */
export function adaptStep(context: NodeContext, action: 'degrade' | 'fallback'): NodeStep {
  const failure = pendingFailure(context);
  const seq = context.seq + 1;
  const decision = decisionAt(context, failure.time, {
    kind: action,
    reason: failure.reason,
    cause: failure.cause,
  });
  const mode = action === 'degrade' ? 'degraded' : 'fallback';
  // The fallback branch gets its own budget, from the moment it takes over.
  const budget_from = action === 'fallback' ? failure.time : context.budget_from;
  return {
    context: { seq, decision, mode, budget_from },
    emitted: [
      budgetSignal(context, seq, failure.time, action, failure.reason),
      decisionEmitted(context, decision),
    ],
  };
}

/** No legal adaptation left: terminate and ask the turn for `abort(reason)`. */
export function terminateStep(context: NodeContext): NodeStep {
  const failure = pendingFailure(context);
  const decision = decisionAt(context, failure.time, {
    kind: 'terminate',
    reason: failure.reason,
    cause: failure.cause,
  });
  const abort_request: NodeAbortRequested = {
    type: 'node.abort.requested',
    node_id: context.node_id,
    reason: failure.reason,
    failure: failure.reason === 'provider_failure' ? 'provider' : 'node',
    cause: failure.cause,
    detail: failure.detail,
    at_ms: failure.time.at_ms,
    wall_ms: failure.time.wall_ms,
  };
  return {
    context: { decision, status: 'failed', abort_reason: failure.reason, abort_request },
    emitted: [decisionEmitted(context, decision), abort_request],
  };
}

/** Invalid budget config: fail at start with the config error as the failure detail. */
export function configErrorStep(context: NodeContext): NodeStep {
  const failure: NodeFailure = {
    cause: 'config_error',
    reason: 'node_timeout_or_failure',
    detail: context.config_error ?? 'node budget config invalid',
    time: context.started,
  };
  const terminated = terminateStep({ ...context, failure });
  return { context: { ...terminated.context, failure }, emitted: terminated.emitted };
}
