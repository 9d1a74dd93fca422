/**
 * Which turn a session event ends early, read off the machines' current states without running
 * them: the runtime fences that turn's egress inside `feed` (RK-16/RK-22: nothing of it reaches
 * the transport once `feed` returns) and lets the machines take the event after `feed` returns.
 * The answer must be the machines' own: `fence-ahead.test.ts` checks it against every state of
 * both statecharts with XState's pure `transition`.
 */
import type { SessionEvent } from './session/types.ts';
import { routeOf } from './session/effects.ts';
import type { SessionContext } from './session/types.ts';
import { turnGuards } from './turn/guards.ts';
import type { EgressFenceCause, TurnContext, TurnEvent } from './turn/types.ts';

/** The part of a machine snapshot the predicates read. */
type StateOf<TContext> = {
  readonly context: TContext;
  matches(value: string | Record<string, unknown>): boolean;
};

/** The turn states whose cancel and barge-in transitions end the turn early (`endEarly`). */
const ENDS_EARLY = [{ Active: 'running' }, { Active: { finalizing: 'committing' } }] as const;

/** The turn states whose authority-loss transition fences (authority loss replaces an abort). */
const REVOKABLE = [...ENDS_EARLY, { Active: { finalizing: 'aborting' } }] as const;

/** A turn event that ends the turn it reaches, and the fence cause the turn would record. */
export type TurnEnding = {
  readonly turn_id: string;
  readonly event: TurnEvent;
  readonly cause: EgressFenceCause;
};

/**
 * The turn event `event` becomes in the session machine's current state, if it ends a turn early
 * there: user speech or a new final transcript while the live turn runs is its barge-in; a
 * cancel goes to the turn it names (or the live one). Null for anything else.
 */
export function sessionTurnEnding(
  session: StateOf<SessionContext>,
  event: SessionEvent,
): TurnEnding | null {
  if (event.type === 'turn.cancel') {
    const turn_id = routeOf(session.context, event);
    return turn_id === null ? null : { turn_id, event, cause: 'cancel' };
  }
  if (event.type !== 'user.speech.started' && event.type !== 'user.transcript.final') return null;
  const turn_id = session.context.current_turn;
  if (turn_id === null || !session.matches({ active: 'running' })) return null;
  const { at_ms, wall_ms } = event;
  const barge: TurnEvent = {
    type: 'turn.barge_in',
    at_ms,
    ...(wall_ms === undefined ? {} : { wall_ms }),
  };
  return { turn_id, event: barge, cause: 'barge_in' };
}

/**
 * The turn event an authority change becomes for the session's live turn (the session machine
 * forwards it to its current turn in every state but `idle`), with the fence cause a revocation
 * records. Null when there is no turn to tell.
 */
export function sessionAuthorityEnding(
  session: StateOf<SessionContext>,
  change: { readonly epoch: number; readonly authorized: boolean; readonly at_ms: number },
): TurnEnding | null {
  const turn_id = session.context.current_turn;
  if (turn_id === null || session.matches('idle')) return null;
  const { epoch, authorized, at_ms } = change;
  const event: TurnEvent = { type: 'turn.authority', epoch, authorized, at_ms };
  return { turn_id, event, cause: 'authority_epoch_changed' };
}

/** True when the turn machine in `turn`'s state answers `event` by fencing its egress. */
export function turnFencesOn(turn: StateOf<TurnContext>, event: TurnEvent): boolean {
  const args = { context: turn.context, event };
  if (event.type === 'turn.authority' || event.type === 'turn.revoke')
    return turnGuards.authorityRevoked(args) && REVOKABLE.some((state) => turn.matches(state));
  if (event.type !== 'turn.cancel' && event.type !== 'turn.barge_in') return false;
  if (turnGuards.isStaleEpoch(args)) return false;
  return ENDS_EARLY.some((state) => turn.matches(state));
}
