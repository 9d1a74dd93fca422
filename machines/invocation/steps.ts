/**
 * Pure, total step functions of the invocation machine: each returns the context patch and the
 * ordered effects (signals, per-attempt evidence, outcome) of one transition. Guards in the
 * machine choose the step; records and signals are built by `records.ts`.
 */
import type { Timed } from '../outputs.ts';
import { later, timeAfter, timeOf, type EventTime } from '../node/clock.ts';
import {
  CANCELLED_OUTCOME,
  TIMEOUT_OUTCOME,
  attemptRecord,
  buildResult,
  currentProvider,
  endTime,
  invocationSignal,
  normalizeOutcome,
} from './records.ts';
import type {
  AttemptResult,
  InvocationContext,
  InvocationEmitted,
  InvocationStatus,
  NormalizedOutcome,
  RetryDecision,
} from './types.ts';

/** The context patch and ordered effects of one invocation transition. */
export type InvocationStep = {
  readonly context: Partial<InvocationContext>;
  readonly emitted: readonly InvocationEmitted[];
};

/** Starts attempt `provider_attempt` on candidate `provider_index` at `time`. */
function begin(
  context: InvocationContext,
  time: EventTime,
  provider_index: number,
  provider_attempt: number,
): Partial<InvocationContext> {
  const seq = context.seq + 1;
  return {
    seq,
    now: later(context.now, time),
    provider_index,
    provider_attempt,
    attempt_count: context.attempt_count + 1,
    first_started: context.first_started ?? time,
    attempt_started: time,
    attempt_ordinal: context.ordinal_base + seq,
  };
}

/** First attempt, on the preferred provider, at the start event's time. */
export function startStep(context: InvocationContext, event: Timed): InvocationStep {
  return { context: begin(context, timeOf(context.now, event), 0, 1), emitted: [] };
}

/** Retry the same provider, right away or after the last outcome's backoff. */
export function retryStep(context: InvocationContext, afterBackoff: boolean): InvocationStep {
  const backoff = afterBackoff ? (context.last?.outcome.backoff_ms ?? 0) : 0;
  const time = timeAfter(context.last?.ended ?? context.now, backoff);
  return {
    context: begin(context, time, context.provider_index, context.provider_attempt + 1),
    emitted: [],
  };
}

/** Move to the next candidate: `provider_switch` (`from=<a> to=<b>`) and its first attempt. */
export function switchStep(context: InvocationContext): InvocationStep {
  const from = currentProvider(context);
  const next = context.provider_index + 1;
  const to = context.candidates[next] ?? from;
  const time = context.last?.ended ?? context.now;
  const seq = context.seq + 1;
  const signal = invocationSignal(
    context,
    context.ordinal_base + seq,
    time,
    'provider_switch',
    `from=${from} to=${to}`,
    context.last?.attempt_index ?? context.attempt_count,
  );
  return { context: begin({ ...context, seq }, time, next, 1), emitted: [signal] };
}

/** Records how the current attempt ended. */
function settleStep(
  context: InvocationContext,
  time: EventTime,
  outcome: NormalizedOutcome,
): InvocationStep {
  const last = {
    provider_id: currentProvider(context),
    attempt: context.provider_attempt,
    attempt_index: context.attempt_count,
    ordinal: context.attempt_ordinal,
    outcome,
    started: context.attempt_started,
    ended: time,
    latency_ms: Math.max(0, time.at_ms - context.attempt_started.at_ms),
  };
  return { context: { last, now: later(context.now, time) }, emitted: [] };
}

/** The attempt actor reported an outcome. */
export function resultStep(context: InvocationContext, event: AttemptResult): InvocationStep {
  return settleStep(context, timeOf(context.now, event), normalizeOutcome(event.outcome));
}

/** The per-attempt timeout fired (at attempt start + timeout). */
export function timeoutStep(context: InvocationContext): InvocationStep {
  return settleStep(
    context,
    timeAfter(context.attempt_started, context.timeout_ms),
    TIMEOUT_OUTCOME,
  );
}

/** Per-attempt evidence plus `provider_error` (and `circuit_event`) for a failed attempt. */
export function concludeStep(context: InvocationContext, decision: RetryDecision): InvocationStep {
  const last = context.last;
  if (last === null) return { context: {}, emitted: [] };
  const { outcome } = last;
  const record = attemptRecord(context, last, decision);
  const emitted: InvocationEmitted[] = [{ type: 'invocation.attempt', record }];
  let seq = context.seq;
  if (outcome.class !== 'success' && outcome.class !== 'cancelled') {
    const tag = `provider=${last.provider_id} class=${outcome.class}`;
    const reason = `${tag} reason=${outcome.reason ?? 'reason_unspecified'}`;
    seq += 1;
    emitted.push(
      invocationSignal(
        context,
        context.ordinal_base + seq,
        last.ended,
        'provider_error',
        reason,
        last.attempt_index,
      ),
    );
    if (outcome.circuit_open) {
      seq += 1;
      const ordinal = context.ordinal_base + seq;
      emitted.push(
        invocationSignal(context, ordinal, last.ended, 'circuit_event', tag, last.attempt_index),
      );
    }
  }
  return { context: { seq }, emitted };
}

/** Cancel during an attempt: the attempt ends `cancelled` and is recorded; no retry. */
export function cancelAttemptStep(context: InvocationContext, event: Timed): InvocationStep {
  const settled = settleStep(context, timeOf(context.now, event), CANCELLED_OUTCOME);
  const concluded = concludeStep({ ...context, ...settled.context }, 'none');
  return { context: { ...settled.context, ...concluded.context }, emitted: concluded.emitted };
}

/** The invocation ends without an attempt outcome (cancel before/between attempts, blocked). */
export function endStep(
  context: InvocationContext,
  event: Timed,
  outcome: NormalizedOutcome,
): InvocationStep {
  const time = timeOf(context.now, event);
  return { context: { now: time, ended: { time, outcome } }, emitted: [] };
}

/** Stores the result and emits `invocation.outcome` on entering a final state. */
export function finalizeStep(context: InvocationContext, status: InvocationStatus): InvocationStep {
  const result = buildResult(context, status);
  const time = endTime(context);
  return {
    context: { result },
    emitted: [{ type: 'invocation.outcome', result, at_ms: time.at_ms, wall_ms: time.wall_ms }],
  };
}
