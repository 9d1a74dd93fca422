/**
 * Path-generation inputs of the session machine: concrete events, the machine input and a
 * snapshot serializer that drops unbounded context (ordinals, times, turn counter).
 *
 * A pure traversal does not run child actors, so the turn's relayed outputs that move the
 * session (`Opening -> Active`, `Opening -> Idle`, `Active -> Terminal`, `Terminal -> Closed`,
 * a remapped late event) are supplied as `turn.output` events of `turn-1`, the first turn every
 * shortest path spawns. In a replay the real `turn-1` stays `Opening` (the routed events below
 * are ones an `Opening` turn ignores), so real and supplied outputs never contradict each other.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { SessionContext, SessionEvent, SessionInput } from './session/types.ts';
import { transition } from './stamp.ts';
import type { TurnEmitted, TurnOutputEvent } from './turn/types.ts';

/** The session used by path suites: proposals while a turn is busy are queued. */
export const sessionPathInput: SessionInput = {
  session_id: 'session-paths',
  pipeline_version: 'pipeline-v1',
  authority_epoch: 7,
  policies: { opening_proposal: 'queue' },
};

/** Path inputs: queueing and (the default) dropping proposals made while a turn opens. */
export const sessionPathInputs: readonly SessionInput[] = [
  sessionPathInput,
  { ...sessionPathInput, policies: { opening_proposal: 'drop' } },
];

function relay(output: TurnEmitted): TurnOutputEvent {
  return { type: 'turn.output', turn_id: 'turn-1', at_ms: 30, wall_ms: 30, output };
}

function record(
  from_state: 'Opening' | 'Active' | 'Terminal',
  trigger: 'turn_open' | 'defer' | 'abort' | 'close',
  to_state: 'Active' | 'Idle' | 'Terminal' | 'Closed',
): TurnOutputEvent {
  return relay({
    type: 'turn.transition',
    turn_id: 'turn-1',
    transition: transition(from_state, trigger, to_state),
  });
}

const late = {
  session_id: 'session-paths',
  turn_id: 'turn-1',
  event_type: 'pipeline.event',
  at_ms: 30,
  wall_ms: 30,
} as const;

/** Concrete events reaching every state and transition of `sessionMachine` from `sessionPathInput`. */
export const sessionPathEvents: readonly SessionEvent[] = [
  { type: 'user.transcript.final', at_ms: 10, input_id: 'in-1' },
  { type: 'user.speech.started', at_ms: 12 },
  { type: 'connection.signal', at_ms: 14, signal: 'silence' },
  { type: 'session.end', at_ms: 90 },
  { type: 'session.authority', at_ms: 16, epoch: 8, authorized: true },
  // Routed to the most recent turn; an `Opening` turn ignores all three.
  { type: 'turn.cancel', at_ms: 20 },
  { type: 'evidence.appended', at_ms: 20, request_id: 'turn-1/evidence/9' },
  { type: 'pipeline.event', at_ms: 20 },
  // Relayed outputs of turn-1.
  record('Opening', 'turn_open', 'Active'),
  record('Opening', 'defer', 'Idle'),
  record('Active', 'abort', 'Terminal'),
  record('Terminal', 'close', 'Closed'),
  relay({ type: 'turn.late_event.remapped', ...late }),
  relay({ type: 'turn.late_event.reported', code: 'late_event_after_close', ...late }),
];

/**
 * Vertex identity for path traversal: state value, whether a proposal is queued and whether a
 * turn exists. Ordinals, times and the turn counter are left out (they grow with every turn).
 */
export function sessionSerializeState(snapshot: AnyMachineSnapshot): string {
  const context = snapshot.context as SessionContext;
  return JSON.stringify({
    value: snapshot.value as unknown,
    queued: context.queued !== null,
    turn: context.current_turn !== null,
  });
}
