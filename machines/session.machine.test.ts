import { createActor, SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../contracts/index.ts';
import { checkTurnInvariants, isMachineOutput } from './invariants.ts';
import { sessionMachine, type SessionEvent, type SessionInput } from './session.machine.ts';
import type { SessionEmitted } from './session/types.ts';
import { passingArbitration, passingPlan } from './turn.path-events.ts';
import type { TurnArbitrateEvent, TurnPlanEvent } from './turn/types.ts';

const validator = createContractValidator();

function start(input: Partial<SessionInput> = {}) {
  const clock = new SimulatedClock();
  const actor = createActor(sessionMachine, {
    clock,
    input: { session_id: 'sess-1', pipeline_version: 'pipeline-v1', authority_epoch: 7, ...input },
  });
  const outputs: SessionEmitted[] = [];
  actor.on('*', (e) => void outputs.push(e));
  actor.subscribe({
    error: (err) => {
      throw err;
    },
  });
  actor.start();
  const send = (...events: SessionEvent[]) => events.forEach((e) => actor.send(e));
  const requestId = (): string => {
    const r = outputs.findLast((o) => o.type === 'evidence.requested');
    if (r?.type !== 'evidence.requested') throw new Error('no evidence request');
    return r.request_id;
  };
  const appended = (at_ms: number) =>
    send({ type: 'evidence.appended', at_ms, request_id: requestId() });
  return { actor, clock, outputs, send, appended, value: () => actor.getSnapshot().value };
}

function arbitrate(at_ms: number): TurnArbitrateEvent {
  return { ...passingArbitration, at_ms };
}

/** The input id a child turn of the session was given. */
function inputOf(s: ReturnType<typeof start>, turn_id: string): unknown {
  const child = s.actor.getSnapshot().children[turn_id] as
    { getSnapshot(): { context: { input_id: unknown } } } | undefined;
  return child?.getSnapshot().context.input_id;
}

function planned(at_ms: number): TurnPlanEvent {
  return { ...passingPlan, at_ms };
}

/** The arbitration and plan answers that open the live turn at `at_ms`. */
function opening(at_ms: number): [TurnArbitrateEvent, TurnPlanEvent] {
  return [arbitrate(at_ms), planned(at_ms)];
}

/** Compact rendering: `<signal>(<reason>) <emitter> <turn_id|session>` or the transition/fact. */
function lines(outputs: readonly SessionEmitted[]): string[] {
  return outputs.map((o) => {
    switch (o.type) {
      case 'control.signal': {
        const s = o.signal;
        const reason = s.reason === undefined ? '' : `(${s.reason})`;
        return `${s.signal}${reason} ${s.emitted_by} ${s.turn_id ?? s.event_scope}`;
      }
      case 'decision.outcome':
        return `outcome ${o.outcome.outcome_kind}(${o.outcome.reason}) ${o.outcome.emitted_by}`;
      case 'turn.transition':
        return `${o.transition.from_state} -(${o.transition.trigger})-> ${o.transition.to_state}`;
      case 'evidence.requested':
        return `evidence ${o.request_id}`;
      case 'turn.late_event.remapped':
        return `remapped ${o.turn_id} ${o.event_type}`;
      case 'turn.late_event.reported':
        return `reported ${o.turn_id} ${o.event_type}`;
      case 'session.input.superseded':
        return `superseded ${o.input_id} ${o.reason}`;
    }
  });
}

function expectLegal(outputs: readonly SessionEmitted[], complete = true): void {
  for (const o of outputs) {
    const checked =
      o.type === 'control.signal'
        ? validator.validate('control_signal', o.signal)
        : o.type === 'decision.outcome'
          ? validator.validate('decision_outcome', o.outcome)
          : o.type === 'turn.transition'
            ? validator.validate('turn_transition', o.transition)
            : ({ valid: true } as const);
    expect(checked).toEqual({ valid: true });
  }
  expect(checkTurnInvariants(outputs.filter(isMachineOutput), { complete })).toEqual([]);
}

const proposal = (turn: string): string[] => [
  `turn_open_proposed(session_turn_intent) RK-02 ${turn}`,
  'Idle -(turn_open_proposed)-> Opening',
];
const proposed = (turn: string): string[] => [
  ...proposal(turn),
  'outcome admit(admission_capacity_allow) RK-25',
  `turn_open RK-03 ${turn}`,
  'Opening -(turn_open)-> Active',
];
const FLUSHED = (turn: string) => `playback_cancelled(cancel_fence_applied) RK-22 ${turn}`;
const ended = (turn: string, terminal: string): string[] => [
  `${terminal} RK-03 ${turn}`,
  `Active -(${terminal.startsWith('commit') ? 'commit' : 'abort'})-> Terminal`,
  `close RK-03 ${turn}`,
  'Terminal -(close)-> Closed',
];

describe('sessionMachine', () => {
  it('orders a barge-in: barge_in, cancel, abort(cancelled), close, then the next proposal', () => {
    const s = start();
    s.send({ type: 'user.transcript.final', at_ms: 10 }, ...opening(20));
    s.send({ type: 'user.speech.started', at_ms: 30 });
    expect(s.value()).toEqual({ active: 'preempting' });
    s.send({ type: 'user.speech.started', at_ms: 31 }); // no second barge-in
    s.appended(32);
    expect(s.value()).toBe('idle');
    s.send({ type: 'user.transcript.final', at_ms: 40 });
    expect(lines(s.outputs)).toEqual([
      ...proposed('turn-1'),
      'barge_in RK-06 turn-1',
      'cancel RK-16 turn-1',
      FLUSHED('turn-1'),
      'evidence turn-1/evidence/1',
      ...ended('turn-1', 'abort(cancelled)'),
      ...proposal('turn-2'),
    ]);
    const cancel = s.outputs[6];
    expect(cancel?.type === 'control.signal' && cancel.signal).toMatchObject({
      signal: 'cancel',
      scope: 'turn',
      event_scope: 'turn',
      turn_id: 'turn-1',
    });
    expect(s.value()).toEqual({ opening: 'quiet' });
    expect(Object.keys(s.actor.getSnapshot().children)).toEqual(['turn-1', 'turn-2']);
    expectLegal(s.outputs, false);
  });

  it('treats a final transcript during Active as a barge-in and proposes it once the turn closes', () => {
    const s = start();
    s.send({ type: 'user.transcript.final', at_ms: 10 }, ...opening(20));
    s.send({ type: 'user.transcript.final', at_ms: 30 });
    s.appended(32);
    expect(lines(s.outputs).slice(5)).toEqual([
      'barge_in RK-06 turn-1',
      'cancel RK-16 turn-1',
      FLUSHED('turn-1'),
      'evidence turn-1/evidence/1',
      ...ended('turn-1', 'abort(cancelled)'),
      ...proposal('turn-2'),
    ]);
    const proposed2 = s.outputs.at(-2);
    expect(proposed2?.type === 'control.signal' && proposed2.signal.runtime_timestamp_ms).toBe(32);
    expect(s.actor.getSnapshot().context.current_turn).toBe('turn-2');
  });

  it('cancels a turn as soon as it opens when the user spoke again while it was Opening', () => {
    const s = start(); // drop policy: still, speech heard while Opening is kept
    s.send(
      { type: 'user.transcript.final', at_ms: 10 },
      { type: 'user.speech.started', at_ms: 12 },
    );
    s.send({ type: 'user.transcript.final', at_ms: 15 });
    expect(s.value()).toEqual({ opening: 'interrupted' });
    s.send(...opening(20));
    expect(s.value()).toEqual({ active: 'preempting' });
    s.appended(21);
    expect(lines(s.outputs)).toEqual([
      ...proposed('turn-1'),
      'barge_in RK-06 turn-1',
      'cancel RK-16 turn-1',
      FLUSHED('turn-1'),
      'evidence turn-1/evidence/1',
      ...ended('turn-1', 'abort(cancelled)'),
      ...proposal('turn-2'),
    ]);
    expect(s.value()).toEqual({ opening: 'quiet' });
    expectLegal(s.outputs, false);
  });

  it('runs two turns in sequence with deterministic turn and event ids', () => {
    const s = start();
    s.send({ type: 'user.transcript.final', at_ms: 10 }, ...opening(20));
    s.send({ type: 'turn.generation.completed', at_ms: 30 });
    s.appended(31);
    s.send({ type: 'user.transcript.final', at_ms: 40 }, ...opening(50));
    s.send({ type: 'turn.generation.completed', at_ms: 60, turn_id: 'turn-2' });
    s.appended(61);
    expect(lines(s.outputs)).toEqual([
      ...proposed('turn-1'),
      'evidence turn-1/evidence/1',
      ...ended('turn-1', 'commit'),
      ...proposed('turn-2'),
      'evidence turn-2/evidence/1',
      ...ended('turn-2', 'commit'),
    ]);
    const ids = s.outputs.flatMap((o) => (o.type === 'control.signal' ? [o.signal.event_id] : []));
    // The proposal is its turn's event 0; the turn numbers its own from 1.
    expect(ids).toEqual([
      'evt/sess-1/turn-1/000000',
      'evt/sess-1/turn-1/000002',
      'evt/sess-1/turn-1/000003',
      'evt/sess-1/turn-1/000004',
      'evt/sess-1/turn-2/000000',
      'evt/sess-1/turn-2/000002',
      'evt/sess-1/turn-2/000003',
      'evt/sess-1/turn-2/000004',
    ]);
    expect(s.value()).toBe('idle');
    expectLegal(s.outputs);
  });

  it('emits RK-23 signals at session scope without an active turn and turn-scoped with one', () => {
    const s = start();
    s.send({ type: 'connection.signal', at_ms: 1, signal: 'connected' });
    s.send({ type: 'user.transcript.final', at_ms: 10 });
    s.send({ type: 'connection.signal', at_ms: 11, signal: 'silence' });
    s.send(...opening(20));
    s.send({ type: 'connection.signal', at_ms: 21, signal: 'reconnecting' });
    s.send({ type: 'connection.signal', at_ms: 22, signal: 'stall' });
    s.appended(23);
    s.send({ type: 'connection.signal', at_ms: 24, signal: 'disconnected' });
    s.send({ type: 'connection.signal', at_ms: 25, signal: 'ended' });
    expect(lines(s.outputs)).toEqual([
      'connected RK-23 session',
      ...proposal('turn-1'),
      'silence RK-23 session',
      'outcome admit(admission_capacity_allow) RK-25',
      'turn_open RK-03 turn-1',
      'Opening -(turn_open)-> Active',
      'reconnecting RK-23 turn-1',
      'disconnected(transport_disconnect_or_stall) RK-23 turn-1',
      'stall(transport_disconnect_or_stall) RK-23 turn-1',
      FLUSHED('turn-1'),
      'evidence turn-1/evidence/1',
      ...ended('turn-1', 'abort(transport_disconnect_or_stall)'),
      'disconnected(transport_disconnect_or_stall) RK-23 session',
      'ended RK-23 session',
    ]);
    expectLegal(s.outputs);
  });

  it('tears down an active turn on session end: one terminal, close, then done', () => {
    const s = start();
    s.send({ type: 'user.transcript.final', at_ms: 10 }, ...opening(20));
    s.send({ type: 'session.end', at_ms: 30 });
    expect(s.value()).toEqual({ ending: 'awaiting' });
    s.send({ type: 'user.transcript.final', at_ms: 31 }); // ignored while ending
    s.appended(32);
    expect(lines(s.outputs).slice(5)).toEqual([
      'disconnected(transport_disconnect_or_stall) RK-23 turn-1',
      'stall(transport_disconnect_or_stall) RK-23 turn-1',
      FLUSHED('turn-1'),
      'evidence turn-1/evidence/1',
      ...ended('turn-1', 'abort(transport_disconnect_or_stall)'),
    ]);
    expect(s.actor.getSnapshot().status).toBe('done');
    expectLegal(s.outputs);
  });

  it('keeps a finalizing turn on session end and ends after its Stage-A timeout', () => {
    const s = start();
    s.send({ type: 'user.transcript.final', at_ms: 10 }, ...opening(20));
    s.send({ type: 'turn.generation.completed', at_ms: 30 }, { type: 'session.end', at_ms: 40 });
    s.clock.increment(1000);
    expect(lines(s.outputs).slice(5)).toEqual([
      'evidence turn-1/evidence/1',
      'disconnected(transport_disconnect_or_stall) RK-23 turn-1',
      ...ended('turn-1', 'abort(recording_evidence_unavailable)'),
    ]);
    expect(s.actor.getSnapshot().status).toBe('done');
    expectLegal(s.outputs);
  });

  it('stops an Opening turn silently on session end and emits nothing afterwards', () => {
    const s = start();
    s.send({ type: 'user.transcript.final', at_ms: 10 }, { type: 'session.end', at_ms: 11 });
    expect(s.actor.getSnapshot().status).toBe('done');
    const before = s.outputs.length;
    s.send(
      ...opening(20),
      { type: 'user.transcript.final', at_ms: 21 },
      { type: 'connection.signal', at_ms: 22, signal: 'disconnected' },
      { type: 'pipeline.event', at_ms: 23, authority_epoch: 3 },
    );
    s.clock.increment(10_000);
    expect(s.outputs.length).toBe(before);
    expect(lines(s.outputs)).toEqual(proposal('turn-1'));
  });

  it('emits nothing after the session is done, even from a pending turn timer', () => {
    const s = start();
    s.send({ type: 'session.end', at_ms: 1 });
    expect(s.actor.getSnapshot().status).toBe('done');
    s.send(
      { type: 'user.transcript.final', at_ms: 2 },
      { type: 'connection.signal', at_ms: 3, signal: 'connected' },
    );
    expect(s.outputs).toEqual([]);
  });

  it('drops (default) or queues a proposal made while a turn is Opening, reporting dropped input', () => {
    const dropped = start();
    dropped.send(
      { type: 'user.transcript.final', at_ms: 10, input_id: 'in-1' },
      { type: 'user.transcript.final', at_ms: 11, input_id: 'in-2' },
    );
    dropped.send({ ...arbitrate(20), snapshot_valid: false });
    expect(dropped.value()).toBe('idle');
    expect(lines(dropped.outputs)).toEqual([
      ...proposal('turn-1'),
      'superseded in-2 dropped_while_opening',
      'outcome defer(snapshot_invalid_or_missing) RK-25',
      'defer(snapshot_invalid_or_missing) RK-25 turn-1',
      'Opening -(defer)-> Idle',
    ]);

    const queued = start({ policies: { opening_proposal: 'queue' } });
    queued.send(
      { type: 'user.transcript.final', at_ms: 10, input_id: 'in-1' },
      { type: 'user.transcript.final', at_ms: 11, input_id: 'in-2' },
    );
    queued.send({ ...arbitrate(20), snapshot_valid: false });
    expect(queued.value()).toEqual({ opening: 'quiet' });
    expect(lines(queued.outputs).slice(5)).toEqual(proposal('turn-2'));
    const context = queued.actor.getSnapshot().context;
    expect(context.current_turn).toBe('turn-2');
    expect(inputOf(queued, 'turn-2')).toBe('in-2');
    expectLegal(queued.outputs);
  });

  it('gives each turn the input it answers and reports every input no turn will answer', () => {
    const s = start();
    s.send({ type: 'user.transcript.final', at_ms: 10, input_id: 'in-1' }, ...opening(20));
    expect(inputOf(s, 'turn-1')).toBe('in-1');
    // A barge-in queues in-2; in-3 replaces it before the turn is closed.
    s.send({ type: 'user.transcript.final', at_ms: 30, input_id: 'in-2' });
    s.send({ type: 'user.transcript.final', at_ms: 31, input_id: 'in-3' });
    s.appended(32);
    expect(inputOf(s, 'turn-2')).toBe('in-3');
    expect(lines(s.outputs).filter((l) => l.startsWith('superseded'))).toEqual([
      'superseded in-2 replaced_by_newer_input',
    ]);
    // Opening -> Active, then a barge-in queues in-4, and the session ends before it is taken.
    s.send(...opening(40), { type: 'user.transcript.final', at_ms: 41, input_id: 'in-4' });
    s.send({ type: 'session.end', at_ms: 42 });
    expect(lines(s.outputs).filter((l) => l.startsWith('superseded'))).toEqual([
      'superseded in-2 replaced_by_newer_input',
      'superseded in-4 session_ended',
    ]);
  });

  it('keeps only the current and the previous turn as children', () => {
    const s = start({ policies: { turn: { late_event: 'diagnostics' } } });
    for (let n = 0; n < 3; n += 1) {
      const at = 10 + n * 100;
      s.send({ type: 'user.transcript.final', at_ms: at }, ...opening(at + 1));
      s.send({ type: 'turn.generation.completed', at_ms: at + 2 });
      s.appended(at + 3);
    }
    expect(Object.keys(s.actor.getSnapshot().children)).toEqual(['turn-2', 'turn-3']);
    const before = s.outputs.length;
    // turn-1 is stopped: its late event is dropped; turn-2 still reports its own.
    s.send({ type: 'pipeline.event', at_ms: 400, turn_id: 'turn-1' });
    s.send({ type: 'pipeline.event', at_ms: 401, turn_id: 'turn-2' });
    expect(lines(s.outputs.slice(before))).toEqual(['reported turn-2 pipeline.event']);
  });

  it('routes late events to the closed turn, whose remap policy proposes a new turn', () => {
    const s = start({ policies: { turn: { late_event: 'remap' } } });
    s.send({ type: 'user.transcript.final', at_ms: 10 }, ...opening(20), {
      type: 'turn.cancel',
      at_ms: 30,
    });
    s.appended(31);
    const before = s.outputs.length;
    s.send({ type: 'pipeline.event', at_ms: 40, turn_id: 'turn-1', node_id: 'tts' });
    s.send({ type: 'pipeline.event', at_ms: 41, turn_id: 'turn-9' }); // unknown turn: dropped
    expect(lines(s.outputs.slice(before))).toEqual([
      'remapped turn-1 pipeline.event',
      ...proposal('turn-2'),
    ]);
    expect(s.value()).toEqual({ opening: 'quiet' });
    expect(s.actor.getSnapshot().context.current_turn).toBe('turn-2');
  });

  it('ignores speech onset when no turn is active', () => {
    const s = start();
    s.send({ type: 'user.speech.started', at_ms: 1 });
    expect(s.outputs).toEqual([]);
    expect(s.value()).toBe('idle');
  });
});
