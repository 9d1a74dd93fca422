/**
 * Types of the session machine (RK-02 session prelude + session lifecycle): input and policies,
 * context and the events it accepts. It emits its own signals plus every output of its turns.
 */
import type { EventTime } from '../node/clock.ts';
import type { RuntimeLink, Timed } from '../outputs.ts';
import type {
  ConnectionSignal,
  TurnEmitted,
  TurnEvent,
  TurnOutputEvent,
  TurnPolicies,
  TurnProposeEvent,
} from '../turn/types.ts';

/** What happens to a proposal while another turn is still `Opening` (fixed per session). */
type OpeningProposalPolicy = 'drop' | 'queue';

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
  /** The runtime's dependencies, handed unread to every turn the session spawns. */
  readonly services?: RuntimeLink;
  /**
   * This placement of the session (e.g. `e<lease epoch>`), added to its turn ids
   * (`turn-<n>-<incarnation>`) so a turn id never names turns of two placements.
   */
  readonly incarnation?: string;
};

/** Context of the session machine. */
export type SessionContext = {
  readonly session_id: string;
  readonly pipeline_version: string;
  readonly authority_epoch: number;
  readonly policies: SessionPolicies;
  readonly services: RuntimeLink | undefined;
  /** This placement of the session, if it has a name (see `SessionInput.incarnation`). */
  readonly incarnation: string | undefined;
  /** Ordinal of the session's last stamped signal (its turns count their own). */
  readonly ordinal: number;
  readonly now: EventTime;
  /** Turns spawned so far; turn ids are `turn-<n>` for n = 1..turn_seq. */
  readonly turn_seq: number;
  /** The most recent turn (the live one while `opening`/`active`/`ending`). */
  readonly current_turn: string | null;
  /**
   * The closed turn before the current one, still a child so that it answers its own late
   * events (T11/T12); older closed turns are stopped, and events for them are dropped.
   */
  readonly previous_turn: string | null;
  /** One proposal waiting for the current turn to end, with the input it answers. */
  readonly queued: QueuedIntent | null;
};

/** A proposal waiting for the live turn to end. */
type QueuedIntent = {
  /** Ingress event id of the user input (null: a remapped late event). */
  readonly input_id: string | null;
};

/** Why a user input will never be answered by a turn of its own. */
export type InputSupersededReason =
  /** A newer input replaced it while it waited for the live turn to end. */
  | 'replaced_by_newer_input'
  /** It arrived while a turn was opening and the session drops such proposals. */
  | 'dropped_while_opening'
  /** The session ended before a turn could take it. */
  | 'session_ended';

/** RK-02 reports a user input that no turn will answer, and why. */
export type InputSuperseded = {
  readonly type: 'session.input.superseded';
  readonly session_id: string;
  readonly input_id: string;
  readonly reason: InputSupersededReason;
  readonly at_ms: number;
  readonly wall_ms: number;
};

/**
 * A turn event sent to the session: routed to `turn_id`, or to the most recent turn when absent.
 * A closed turn answers it itself (T11/T12).
 */
type RoutedTurnEvent = Exclude<TurnEvent, TurnProposeEvent> & { readonly turn_id?: string };

/** Every event the session machine accepts. */
export type SessionEvent =
  /** RK-02 VAD onset: a barge-in while a turn is `Active`. */
  | (Timed & { readonly type: 'user.speech.started' })
  /** RK-02 end of a user utterance: the turn intent (`input_id`: its ingress event id). */
  | (Timed & { readonly type: 'user.transcript.final'; readonly input_id?: string })
  /** RK-23 connection normalization. */
  | (Timed & { readonly type: 'connection.signal'; readonly signal: ConnectionSignal })
  /** Deterministic teardown; the session is done once its live turn (if any) is closed. */
  | (Timed & { readonly type: 'session.end' })
  /** RK-24: the placement's authority changed; new turns take the epoch, a live turn is told. */
  | (Timed & {
      readonly type: 'session.authority';
      readonly epoch: number;
      readonly authorized: boolean;
    })
  | RoutedTurnEvent
  | TurnOutputEvent;

/** Everything the session emits: its own signals and facts and its turns' outputs, in order. */
export type SessionEmitted = TurnEmitted | InputSuperseded;
