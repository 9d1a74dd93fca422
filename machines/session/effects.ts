/**
 * Pure helpers of the session machine: policy defaults, deterministic turn ids, event routing
 * and the session's own stamped signals (`turn_open_proposed`, session-scoped RK-23 signals).
 */
import { nonNegativeInt, timeOf, type EventTime } from '../node/clock.ts';
import type { Timed } from '../outputs.ts';
import { stampSignal, type SignalFields } from '../stamp.ts';
import type { ConnectionSignal, TurnEmitted, TurnOutputEvent } from '../turn/types.ts';
import type {
  InputSuperseded,
  InputSupersededReason,
  SessionContext,
  SessionEvent,
  SessionInput,
  SessionPolicies,
} from './types.ts';

/** Fills missing or unknown session policies with the defaults; never throws. */
function resolveSessionPolicies(input: Partial<SessionPolicies> | undefined): SessionPolicies {
  const p = input ?? {};
  return {
    opening_proposal: p.opening_proposal === 'queue' ? 'queue' : 'drop',
    turn: p.turn ?? {},
  };
}

/** The initial context of a session. */
export function initialSessionContext(input: SessionInput): SessionContext {
  return {
    session_id: input.session_id,
    pipeline_version: input.pipeline_version,
    authority_epoch: nonNegativeInt(input.authority_epoch),
    policies: resolveSessionPolicies(input.policies),
    services: input.services,
    incarnation: input.incarnation,
    ordinal: 0,
    now: { at_ms: 0, wall_ms: 0 },
    turn_seq: 0,
    current_turn: null,
    previous_turn: null,
    queued: null,
  };
}

/** Deterministic id of the n-th turn of a session (1-based), of its placement if named. */
export function turnIdOf(n: number, incarnation?: string): string {
  return incarnation === undefined ? `turn-${n}` : `turn-${n}-${incarnation}`;
}

/**
 * The turn a routed event goes to: its `turn_id`, else the most recent turn; null when that
 * turn is not a child any more (older closed turns are stopped: their late events are dropped).
 */
export function routeOf(context: SessionContext, event: SessionEvent): string | null {
  const explicit = 'turn_id' in event && typeof event.turn_id === 'string' ? event.turn_id : null;
  const id = explicit ?? context.current_turn;
  return id !== null && (id === context.current_turn || id === context.previous_turn) ? id : null;
}

/** The ingress event id a user transcript carries, if any. */
export function inputIdOf(event: SessionEvent): string | null {
  return event.type === 'user.transcript.final' && typeof event.input_id === 'string'
    ? event.input_id
    : null;
}

/** RK-02's report that `input_id` will not be answered by a turn of its own. */
export function superseded(
  context: SessionContext,
  input_id: string,
  reason: InputSupersededReason,
  time: EventTime,
): InputSuperseded {
  return {
    type: 'session.input.superseded',
    session_id: context.session_id,
    input_id,
    reason,
    at_ms: time.at_ms,
    wall_ms: time.wall_ms,
  };
}

/** Time of a session event, never before the last handled one. */
export function sessionTime(context: SessionContext, event: Timed): EventTime {
  return timeOf(context.now, event);
}

/** Stamps one session-scoped signal; returns it with the next ordinal. */
export function sessionSignal(
  context: SessionContext,
  time: EventTime,
  fields: SignalFields,
): { output: TurnEmitted; ordinal: number } {
  const ordinal = context.ordinal + 1;
  const identity = {
    session_id: context.session_id,
    pipeline_version: context.pipeline_version,
    authority_epoch: context.authority_epoch,
  };
  const signal = stampSignal(
    identity,
    { runtime_ms: time.at_ms, wall_ms: time.wall_ms },
    ordinal,
    fields,
  );
  return { output: { type: 'control.signal', signal }, ordinal };
}

/**
 * RK-02 `turn_open_proposed` (session scope, reason `session_turn_intent`; Open point 1) carrying
 * the candidate `turn_id` and, as `causal_parent_id`, the ingress id of the input the turn
 * answers; stamped as that turn's event 0 (the turn numbers its own from 1).
 */
export function proposalSignal(
  context: SessionContext,
  time: EventTime,
  turn_id: string,
  input_id: string | null,
): TurnEmitted {
  const identity = {
    session_id: context.session_id,
    pipeline_version: context.pipeline_version,
    authority_epoch: context.authority_epoch,
    turn_id,
  };
  const signal = stampSignal(identity, { runtime_ms: time.at_ms, wall_ms: time.wall_ms }, 0, {
    signal: 'turn_open_proposed',
    emitted_by: 'RK-02',
    event_scope: 'session',
    reason: 'session_turn_intent',
    ...(input_id === null || input_id.length === 0 ? {} : { causal_parent_id: input_id }),
  });
  return { type: 'control.signal', signal };
}

/** An RK-23 signal at session scope (no turn is known). */
export function connectionFields(signal: ConnectionSignal): SignalFields {
  const teardown = signal === 'disconnected' || signal === 'stall';
  return {
    signal,
    emitted_by: 'RK-23',
    event_scope: 'session',
    ...(teardown ? { reason: 'transport_disconnect_or_stall' } : {}),
  };
}

/** Facts about a relayed turn output that move the session. */
export const relayed = {
  transitionTo: (event: SessionEvent, context: SessionContext, from: string, to: string): boolean =>
    event.type === 'turn.output' &&
    event.turn_id === context.current_turn &&
    event.output.type === 'turn.transition' &&
    event.output.transition.from_state === from &&
    event.output.transition.to_state === to,
  isRemap: (event: SessionEvent): event is TurnOutputEvent =>
    event.type === 'turn.output' && event.output.type === 'turn.late_event.remapped',
};
