/**
 * The events every RSPP machine emits (XState `emit`), read by the runtime, tests and the path
 * generator through `actor.on(...)`. Inputs carry their own time so machines stay pure.
 */
import type { ControlSignal, DecisionOutcome, TurnTransition } from '../contracts/index.ts';

/** A ControlLane signal produced by a machine. */
export type SignalEmitted = { readonly type: 'control.signal'; readonly signal: ControlSignal };

/** A decision outcome produced by a machine. */
export type OutcomeEmitted = {
  readonly type: 'decision.outcome';
  readonly outcome: DecisionOutcome;
};

/** A turn lifecycle transition record produced by the turn machine, with the turn it moved. */
export type TransitionEmitted = {
  readonly type: 'turn.transition';
  readonly turn_id: string;
  readonly transition: TurnTransition;
};

/** Everything a machine may emit. Machine-specific facts (e.g. evidence) extend this union locally. */
export type MachineOutput = SignalEmitted | OutcomeEmitted | TransitionEmitted;

/** Time carried by every input event: runtime ms (simulated clock) and optional wall-clock ms. */
export type Timed = { readonly at_ms: number; readonly wall_ms?: number };

/**
 * The runtime's dependencies of one session, handed to the session actor as input and passed on,
 * never read, to the actors and actions the runtime provides (dependency injection through
 * input: the machines stay pure and run without it).
 */
export type RuntimeLink = object;
