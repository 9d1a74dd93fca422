/**
 * Pure helpers of the session machine: policy defaults, deterministic turn ids, event routing
 * and the session's own stamped signals (`turn_open_proposed`, session-scoped RK-23 signals).
 */
import { nonNegativeInt, timeOf, type EventTime } from '../node/clock.ts';
import type { Timed } from '../outputs.ts';
import { stampSignal, type SignalFields } from '../stamp.ts';
import type { ConnectionSignal, TurnEmitted, TurnOutputEvent } from '../turn/types.ts';
import type { SessionContext, SessionEvent, SessionInput, SessionPolicies } from './types.ts';

/** Fills missing or unknown session policies with the defaults; never throws. */
export function resolveSessionPolicies(
  input: Partial<SessionPolicies> | undefined,
): SessionPolicies {
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
    ordinal: 0,
    now: { at_ms: 0, wall_ms: 0 },
    turn_seq: 0,
    current_turn: null,
    queued_intent: false,
  };
}

/** Deterministic id of the n-th turn of a session (1-based). */
export function turnIdOf(n: number): string {
  return `turn-${n}`;
}

const TURN_ID = /^turn-([1-9][0-9]*)$/;

/** The turn a routed event goes to: its `turn_id`, else the most recent turn; null if unknown. */
export function routeOf(context: SessionContext, event: SessionEvent): string | null {
  const explicit = 'turn_id' in event && typeof event.turn_id === 'string' ? event.turn_id : null;
  const id = explicit ?? context.current_turn;
  if (id === null) return null;
  const match = TURN_ID.exec(id);
  if (match === null) return null;
  const n = Number(match[1]);
  return n >= 1 && n <= context.turn_seq ? id : null;
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

/** RK-02 `turn_open_proposed` (session scope, reason `session_turn_intent`; Open point 1). */
export function proposalFields(): SignalFields {
  return {
    signal: 'turn_open_proposed',
    emitted_by: 'RK-02',
    event_scope: 'session',
    reason: 'session_turn_intent',
  };
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
