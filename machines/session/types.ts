/**
 * Types of the session machine (RK-02 session prelude + session lifecycle): input and policies,
 * context and the events it accepts. It emits its own signals plus every output of its turns.
 */
import type { EventTime } from '../node/clock.ts';
import type { Timed } from '../outputs.ts';
import type {
  ConnectionSignal,
  TurnEmitted,
  TurnEvent,
  TurnOutputEvent,
  TurnPolicies,
  TurnProposeEvent,
} from '../turn/types.ts';

/** What happens to a proposal while another turn is still `Opening` (fixed per session). */
export type OpeningProposalPolicy = 'drop' | 'queue';

/** Per-session policies, fixed when the session actor is created. */
export type SessionPolicies = {
  /**
   * A proposal (final transcript or remapped late event) while a turn is `Opening` or `Active`
   * without barge-in: `drop` it (default) or `queue` one and propose it once the turn ends.
   */
  readonly opening_proposal: OpeningProposalPolicy;
  /** Policies of every turn the session spawns. */
  readonly turn: Partial<TurnPolicies>;
};

/** Input of the session machine. */
export type SessionInput = {
  readonly session_id: string;
  readonly pipeline_version: string;
  /** The session's current authority epoch, stamped on its signals and given to new turns. */
  readonly authority_epoch: number;
  readonly policies?: Partial<SessionPolicies>;
};

/** Context of the session machine. */
export type SessionContext = {
  readonly session_id: string;
  readonly pipeline_version: string;
  readonly authority_epoch: number;
  readonly policies: SessionPolicies;
  /** Ordinal of the session's last stamped signal (its turns count their own). */
  readonly ordinal: number;
  readonly now: EventTime;
  /** Turns spawned so far; turn ids are `turn-<n>` for n = 1..turn_seq, all still children. */
  readonly turn_seq: number;
  /** The most recent turn (the live one while `opening`/`active`/`ending`). */
  readonly current_turn: string | null;
  /** One proposal waiting for the current turn to end. */
  readonly queued_intent: boolean;
};

/**
 * A turn event sent to the session: routed to `turn_id`, or to the most recent turn when absent.
 * A closed turn answers it itself (T11/T12).
 */
export type RoutedTurnEvent = Exclude<TurnEvent, TurnProposeEvent> & { readonly turn_id?: string };

/** Every event the session machine accepts. */
export type SessionEvent =
  /** RK-02 VAD onset: a barge-in while a turn is `Active`. */
  | (Timed & { readonly type: 'user.speech.started' })
  /** RK-02 end of a user utterance: the turn intent. */
  | (Timed & { readonly type: 'user.transcript.final' })
  /** RK-23 connection normalization. */
  | (Timed & { readonly type: 'connection.signal'; readonly signal: ConnectionSignal })
  /** Deterministic teardown; the session is done once its live turn (if any) is closed. */
  | (Timed & { readonly type: 'session.end' })
  | RoutedTurnEvent
  | TurnOutputEvent;

/** Everything the session emits: its own signals and its turns' outputs, in order. */
export type SessionEmitted = TurnEmitted;
