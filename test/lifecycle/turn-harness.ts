/**
 * Harness of the truth-table and failure-row tests: runs turn and session actors on a simulated
 * clock, records everything they emit, renders outputs as short comparable lines, and checks
 * every contract artifact with the contract validator and the lifecycle invariants.
 */
import { createActor, SimulatedClock } from 'xstate';
import { createContractValidator } from '../../contracts/index.ts';
import {
  sessionMachine,
  turnMachine,
  type SessionEmitted,
  type SessionEvent,
  type SessionInput,
  type TurnEmitted,
  type TurnEvent,
  type TurnInput,
} from '../../machines/index.ts';
import {
  passingArbitration,
  passingPlan,
  type NoLegalPathReason,
  type TurnArbitrateEvent,
  type TurnPlanEvent,
} from '../../machines/internal.ts';
import { checkTurnInvariants, isMachineOutput } from '../../machines/invariants.ts';

const validator = createContractValidator();

/** Default turn input of the lifecycle tests: epoch 7. */
export const TURN_INPUT: TurnInput = {
  session_id: 'sess-1',
  turn_id: 'turn-1',
  pipeline_version: 'pipeline-v1',
  authority_epoch: 7,
};

/** Default session input of the lifecycle tests: epoch 7. */
export const SESSION_INPUT: SessionInput = {
  session_id: 'sess-1',
  pipeline_version: 'pipeline-v1',
  authority_epoch: 7,
};

/** A `turn.arbitrate` at `at_ms` whose checks all pass, with `overrides` applied. */
export function arbitrate(
  at_ms: number,
  overrides: Partial<Omit<TurnArbitrateEvent, 'type' | 'at_ms'>> = {},
): TurnArbitrateEvent {
  return { ...passingArbitration, at_ms, ...overrides };
}

/** Step 8 passes at `at_ms`: the plan was materialized. */
export function planned(at_ms: number): TurnPlanEvent {
  return { ...passingPlan, at_ms };
}

/** Steps 1..8 pass at `at_ms`: the facts, then the plan (what opens a turn). */
export function opening(at_ms: number): [TurnArbitrateEvent, TurnPlanEvent] {
  return [arbitrate(at_ms), planned(at_ms)];
}

/** Conditions observed together at one active-turn arbitration point. */
export type TurnConditions = {
  readonly authority_revoked?: boolean;
  readonly cancel_accepted?: boolean;
  readonly provider_failure?: boolean;
  readonly node_failure?: boolean;
  readonly transport_lost?: boolean;
  readonly baseline_append_failed?: boolean;
  readonly no_legal_path?: NoLegalPathReason;
  readonly generation_completed?: boolean;
};

/**
 * The events of conditions observed at one point, each its own event at the same time, in the
 * order of the active-turn precedence table (the machine's order): the first chooses the
 * terminal and the rest may only replace it by their own precedence.
 */
export function conditionEvents(at_ms: number, c: TurnConditions): TurnEvent[] {
  const events: (TurnEvent | false)[] = [
    c.authority_revoked === true && { type: 'turn.revoke', at_ms },
    c.cancel_accepted === true && { type: 'turn.cancel', at_ms },
    c.provider_failure === true && { type: 'turn.failure', at_ms, failure: 'provider' },
    c.node_failure === true && { type: 'turn.failure', at_ms, failure: 'node' },
    c.transport_lost === true && { type: 'turn.connection', at_ms, signal: 'disconnected' },
    c.baseline_append_failed === true && {
      type: 'turn.failure',
      at_ms,
      failure: 'baseline_append',
    },
    c.no_legal_path !== undefined && {
      type: 'turn.failure',
      at_ms,
      failure: 'no_legal_path',
      reason: c.no_legal_path,
    },
    c.generation_completed === true && { type: 'turn.generation.completed', at_ms },
  ];
  return events.filter((e): e is TurnEvent => e !== false);
}

/** A started actor with everything it emitted, on its own simulated clock. */
export type RecordedRun<TActor, TEvent> = {
  readonly actor: TActor;
  readonly clock: SimulatedClock;
  readonly outputs: TurnEmitted[];
  send(...events: TEvent[]): RecordedRun<TActor, TEvent>;
  /** Outputs recorded since the previous call (or the start). */
  take(): TurnEmitted[];
  value(): unknown;
};

/** A started turn actor with its recorded outputs. */
export type TurnRun = RecordedRun<ReturnType<typeof createActor<typeof turnMachine>>, TurnEvent>;

/** A started session actor with its recorded outputs. */
export type SessionRun = RecordedRun<
  ReturnType<typeof createActor<typeof sessionMachine>>,
  SessionEvent
>;

/** What `record` needs of an actor (method syntax keeps the handler parameter bivariant). */
type Recordable = {
  on(type: '*', handler: (event: SessionEmitted) => void): unknown;
  subscribe(observer: { error(err: unknown): void }): unknown;
  start(): unknown;
  getSnapshot(): { value: unknown };
};

/** Records what `actor` emits and starts it; actor errors fail loudly. */
function record<TActor extends Recordable, TEvent>(
  actor: TActor,
  clock: SimulatedClock,
  deliver: (event: TEvent) => void,
): RecordedRun<TActor, TEvent> {
  const outputs: TurnEmitted[] = [];
  let taken = 0;
  // Superseded-input reports are session facts, not turn outputs.
  actor.on('*', (e: SessionEmitted) => {
    if (e.type !== 'session.input.superseded') outputs.push(e);
  });
  actor.subscribe({
    error(err) {
      throw err;
    },
  });
  actor.start();
  const run: RecordedRun<TActor, TEvent> = {
    actor,
    clock,
    outputs,
    send(...events) {
      for (const e of events) deliver(e);
      return run;
    },
    take() {
      const slice = outputs.slice(taken);
      taken = outputs.length;
      return slice;
    },
    value: () => actor.getSnapshot().value,
  };
  return run;
}

/** Starts a turn actor on a simulated clock; actor errors fail loudly. */
export function startTurn(input: Partial<TurnInput> = {}): TurnRun {
  const clock = new SimulatedClock();
  const actor = createActor(turnMachine, { input: { ...TURN_INPUT, ...input }, clock });
  return record(actor, clock, (e: TurnEvent) => actor.send(e));
}

/** A turn driven through T1 and T5: `Active.running` at 20 ms. */
export function openTurn(input: Partial<TurnInput> = {}): TurnRun {
  const run = startTurn(input).send({ type: 'turn.propose', at_ms: 10 }, ...opening(20));
  run.take();
  return run;
}

/** Starts a session actor on a simulated clock; actor errors fail loudly. */
export function startSession(input: Partial<SessionInput> = {}): SessionRun {
  const clock = new SimulatedClock();
  const actor = createActor(sessionMachine, { input: { ...SESSION_INPUT, ...input }, clock });
  return record(actor, clock, (e: SessionEvent) => actor.send(e));
}

/**
 * One output as a short line: `signal abort(cancelled) by RK-03 [turn]`,
 * `outcome defer pre_turn/turn by RK-25: snapshot_invalid_or_missing`,
 * `transition Opening -(defer)-> Idle`, `evidence.requested abort(cancelled)`.
 */
export function line(output: TurnEmitted): string {
  switch (output.type) {
    case 'control.signal': {
      const s = output.signal;
      const reason = s.reason === undefined ? '' : `(${s.reason})`;
      const scope = s.scope === undefined ? '' : `, scope ${s.scope}`;
      return `signal ${s.signal}${reason} by ${s.emitted_by} [${s.event_scope}${scope}]`;
    }
    case 'decision.outcome': {
      const o = output.outcome;
      const epoch = o.authority_epoch === undefined ? '' : ` @${o.authority_epoch}`;
      return `outcome ${o.outcome_kind} ${o.phase}/${o.scope} by ${o.emitted_by}: ${o.reason}${epoch}`;
    }
    case 'turn.transition': {
      const t = output.transition;
      return `transition ${t.from_state} -(${t.trigger})-> ${t.to_state}`;
    }
    case 'evidence.requested': {
      const t = output.terminal;
      return `evidence.requested ${t.signal === 'commit' ? 'commit' : `abort(${t.reason})`}`;
    }
    case 'turn.late_event.remapped':
      return `late_event.remapped ${output.event_type}`;
    case 'turn.late_event.reported':
      return `late_event.reported ${output.event_type}`;
  }
}

/** The outputs as lines. */
export function lines(outputs: readonly TurnEmitted[]): string[] {
  return outputs.map(line);
}

/** Contract-validation problems of every artifact in `outputs` (empty when all are valid). */
export function contractProblems(outputs: readonly TurnEmitted[]): string[] {
  const problems: string[] = [];
  outputs.forEach((o, i) => {
    const checked =
      o.type === 'control.signal'
        ? validator.validate('control_signal', o.signal)
        : o.type === 'decision.outcome'
          ? validator.validate('decision_outcome', o.outcome)
          : o.type === 'turn.transition'
            ? validator.validate('turn_transition', o.transition)
            : undefined;
    if (checked !== undefined && !checked.valid)
      for (const issue of checked.issues) problems.push(`#${i} ${line(o)}: ${issue.message}`);
  });
  return problems;
}

/** Lifecycle-invariant violations of `outputs` (machines/invariants.ts). */
export function invariantProblems(outputs: readonly TurnEmitted[], complete = true): string[] {
  return checkTurnInvariants(outputs.filter(isMachineOutput), { complete });
}

/** The request id of the last `evidence.requested` in `outputs`. */
export function lastRequestId(outputs: readonly TurnEmitted[]): string {
  for (let i = outputs.length - 1; i >= 0; i--) {
    const o = outputs[i];
    if (o?.type === 'evidence.requested') return o.request_id;
  }
  throw new Error('no evidence.requested in outputs');
}
