/**
 * Record and signal builders of the invocation machine: normalized outcomes, the per-attempt
 * request, per-attempt evidence, RK-11 signals and the final result. Pure and total.
 */
import { stampSignal } from '../stamp.ts';
import type { SignalEmitted } from '../outputs.ts';
import { nonNegativeInt, type EventTime } from '../node/clock.ts';
import type {
  AttemptOutcome,
  AttemptRequest,
  InvocationAttemptRecord,
  InvocationContext,
  InvocationOutcomeRecord,
  InvocationResult,
  InvocationStatus,
  NormalizedOutcome,
  RetryDecision,
  SettledAttempt,
} from './types.ts';

const ended = (
  cls: NormalizedOutcome['class'],
  reason: string,
  retryable = false,
): NormalizedOutcome => ({ class: cls, retryable, reason, circuit_open: false, backoff_ms: 0 });

/** Outcome of an attempt that hit the per-attempt timeout delay. */
export const TIMEOUT_OUTCOME = ended('timeout', 'provider_timeout', true);
/** Outcome of an attempt (or backoff) ended by a cancel. */
export const CANCELLED_OUTCOME = ended('cancelled', 'provider_cancelled');
/** Outcome of a cancel that arrived before the first attempt. */
export const CANCELLED_BEFORE_INVOKE = ended('cancelled', 'cancel_requested_before_invoke');
/** Outcome when the preferred provider is not in the catalogue (no attempt is made). */
export const PREFERRED_MISSING = ended('blocked', 'preferred_provider_not_in_catalogue');

/** Makes an adapter outcome legal: success and cancelled never retry, success has no reason. */
export function normalizeOutcome(outcome: AttemptOutcome): NormalizedOutcome {
  const success = outcome.class === 'success';
  const final = success || outcome.class === 'cancelled';
  const reason = outcome.reason !== undefined && outcome.reason !== '' ? outcome.reason : null;
  return {
    class: outcome.class,
    retryable: !final && outcome.retryable,
    reason: success ? null : (reason ?? 'reason_unspecified'),
    circuit_open: !success && outcome.circuit_open === true,
    backoff_ms: nonNegativeInt(outcome.backoff_ms),
  };
}

/** The provider of the current (or next) attempt. */
export function currentProvider(context: InvocationContext): string {
  return context.candidates[context.provider_index] ?? context.preferred_provider_id;
}

/** The request handed to the `attempt` actor for the current attempt. */
export function attemptRequest(context: InvocationContext): AttemptRequest {
  const { identity } = context;
  return {
    session_id: identity.session_id,
    turn_id: identity.turn_id ?? '',
    pipeline_version: identity.pipeline_version,
    event_id: context.event_id,
    provider_invocation_id: context.provider_invocation_id,
    provider_id: currentProvider(context),
    modality: context.modality,
    attempt: context.provider_attempt,
    transport_sequence: context.attempt_ordinal,
    runtime_sequence: context.attempt_ordinal,
    authority_epoch: identity.authority_epoch,
    runtime_timestamp_ms: context.attempt_started.at_ms,
    wall_clock_timestamp_ms: context.attempt_started.wall_ms,
    cancel_requested: false,
    allowed_adaptive_actions: context.allowed,
    retry_budget_remaining: Math.max(0, context.max_attempts - context.provider_attempt),
    candidate_provider_count: context.candidates.length,
    ...(context.services === undefined ? {} : { services: context.services }),
  };
}

/** The per-attempt evidence record of a settled attempt and its retry decision. */
export function attemptRecord(
  context: InvocationContext,
  last: SettledAttempt,
  decision: RetryDecision,
): InvocationAttemptRecord {
  const { identity } = context;
  const { outcome } = last;
  return {
    session_id: identity.session_id,
    turn_id: identity.turn_id ?? '',
    pipeline_version: identity.pipeline_version,
    event_id: context.event_id,
    provider_invocation_id: context.provider_invocation_id,
    modality: context.modality,
    provider_id: last.provider_id,
    attempt: last.attempt,
    outcome_class: outcome.class,
    retryable: outcome.retryable,
    retry_decision: decision,
    attempt_latency_ms: last.latency_ms,
    transport_sequence: last.ordinal,
    runtime_sequence: last.ordinal,
    authority_epoch: identity.authority_epoch,
    runtime_timestamp_ms: last.started.at_ms,
    wall_clock_timestamp_ms: last.started.wall_ms,
  };
}

/** Stamps an RK-11 signal; its event id is `<event_id>-<signal>-<attempt index>`. */
export function invocationSignal(
  context: InvocationContext,
  ordinal: number,
  time: EventTime,
  signal: 'provider_error' | 'circuit_event' | 'provider_switch',
  reason: string,
  attemptIndex: number,
): SignalEmitted {
  const stamped = stampSignal(
    context.identity,
    { runtime_ms: time.at_ms, wall_ms: time.wall_ms },
    ordinal,
    {
      signal,
      emitted_by: 'RK-11',
      event_scope: context.identity.turn_id === undefined ? 'session' : 'turn',
      reason,
      scope: 'provider_invocation',
      provider_invocation_id: context.provider_invocation_id,
    },
  );
  // The stamped signal is a fresh object: RK-11 ids replace the RK-21 ordinal id.
  stamped.event_id = `${context.event_id}-${signal}-${String(attemptIndex)}`;
  return { type: 'control.signal', signal: stamped };
}

/** The invocation result for a final state (total: works whatever the context holds). */
export function buildResult(
  context: InvocationContext,
  status: InvocationStatus,
): InvocationResult {
  const { last } = context;
  const final = context.ended?.outcome ?? last?.outcome ?? CANCELLED_OUTCOME;
  const time = endTime(context);
  let outcome: InvocationOutcomeRecord | null = null;
  if (last !== null) {
    const first = context.first_started ?? last.started;
    outcome = {
      provider_invocation_id: context.provider_invocation_id,
      modality: context.modality,
      provider_id: last.provider_id,
      outcome_class: final.class,
      retryable: final.retryable,
      retry_decision: 'none',
      attempt_count: context.attempt_count,
      final_attempt_latency_ms: last.latency_ms,
      total_invocation_latency_ms: Math.max(last.latency_ms, time.at_ms - first.at_ms),
    };
  }
  return {
    status,
    provider_invocation_id: context.provider_invocation_id,
    provider_id: last?.provider_id ?? context.preferred_provider_id,
    outcome_class: final.class,
    reason: final.reason,
    attempt_count: context.attempt_count,
    outcome,
    delivered: context.delivered,
  };
}

/** When the invocation ended: the cancel/block time, else the last attempt's end. */
export function endTime(context: InvocationContext): EventTime {
  return context.ended?.time ?? context.last?.ended ?? context.now;
}
