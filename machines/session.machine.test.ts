import { createActor, SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../contracts/index.ts';
import { checkTurnInvariants, isMachineOutput } from './invariants.ts';
import { sessionMachine, type SessionEvent, type SessionInput } from './session.machine.ts';
import { passingArbitration } from './turn.path-events.ts';
import type { TurnArbitrateEvent, TurnEmitted } from './turn/types.ts';

const validator = createContractValidator();

function start(input: Partial<SessionInput> = {}) {
  const clock = new SimulatedClock();
  const actor = createActor(sessionMachine, {
    clock,
    input: { session_id: 'sess-1', pipeline_version: 'pipeline-v1', authority_epoch: 7, ...input },
  });
  const outputs: TurnEmitted[] = [];
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

/** Compact rendering: `<signal>(<reason>) <emitter> <turn_id|session>` or the transition/fact. */
function lines(outputs: readonly TurnEmitted[]): string[] {
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
    }
  });
}

function expectLegal(outputs: readonly TurnEmitted[], complete = true): void {
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

const proposed = (turn: string): string[] => [
  'turn_open_proposed(session_turn_intent) RK-02 session',
  'Idle -(turn_open_proposed)-> Opening',
  `turn_open RK-03 ${turn}`,
  'Opening -(turn_open)-> Active',
];
const ended = (turn: string, terminal: string): string[] => [
  `${terminal} RK-03 ${turn}`,
  `Active -(${terminal.startsWith('commit') ? 'commit' : 'abort'})-> Terminal`,
  `close RK-03 ${turn}`,
  'Terminal -(close)-> Closed',
];

describe('sessionMachine', () => {
  it('orders a barge-in: barge_in, cancel, abort(cancelled), close, then the next proposal', () => {
    const s = start();
    s.send({ type: 'user.transcript.final', at_ms: 10 }, arbitrate(20));
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
      'evidence turn-1/evidence/1',
      ...ended('turn-1', 'abort(cancelled)'),
      'turn_open_proposed(session_turn_intent) RK-02 session',
      'Idle -(turn_open_proposed)-> Opening',
    ]);
    const cancel = s.outputs[5];
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
    s.send({ type: 'user.transcript.final', at_ms: 10 }, arbitrate(20));
    s.send({ type: 'user.transcript.final', at_ms: 30 });
    s.appended(32);
    expect(lines(s.outputs).slice(4)).toEqual([
      'barge_in RK-06 turn-1',
      'cancel RK-16 turn-1',
      'evidence turn-1/evidence/1',
      ...ended('turn-1', 'abort(cancelled)'),
      'turn_open_proposed(session_turn_intent) RK-02 session',
      'Idle -(turn_open_proposed)-> Opening',
    ]);
    const proposal = s.outputs.at(-2);
    expect(proposal?.type === 'control.signal' && proposal.signal.runtime_timestamp_ms).toBe(32);
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
    s.send(arbitrate(20));
    expect(s.value()).toEqual({ active: 'preempting' });
    s.appended(21);
    expect(lines(s.outputs)).toEqual([
      ...proposed('turn-1'),
      'barge_in RK-06 turn-1',
      'cancel RK-16 turn-1',
      'evidence turn-1/evidence/1',
      ...ended('turn-1', 'abort(cancelled)'),
      'turn_open_proposed(session_turn_intent) RK-02 session',
      'Idle -(turn_open_proposed)-> Opening',
    ]);
    expect(s.value()).toEqual({ opening: 'quiet' });
    expectLegal(s.outputs, false);
  });

  it('runs two turns in sequence with deterministic turn and event ids', () => {
    const s = start();
    s.send({ type: 'user.transcript.final', at_ms: 10 }, arbitrate(20));
    s.send({ type: 'turn.generation.completed', at_ms: 30 });
    s.appended(31);
    s.send({ type: 'user.transcript.final', at_ms: 40 }, arbitrate(50));
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
    expect(ids).toEqual([
      'evt/sess-1/sess-1/000001',
      'evt/sess-1/turn-1/000001',
      'evt/sess-1/turn-1/000002',
      'evt/sess-1/turn-1/000003',
      'evt/sess-1/sess-1/000002',
      'evt/sess-1/turn-2/000001',
      'evt/sess-1/turn-2/000002',
      'evt/sess-1/turn-2/000003',
    ]);
    expect(s.value()).toBe('idle');
    expectLegal(s.outputs);
  });

  it('emits RK-23 signals at session scope without an active turn and turn-scoped with one', () => {
    const s = start();
    s.send({ type: 'connection.signal', at_ms: 1, signal: 'connected' });
    s.send({ type: 'user.transcript.final', at_ms: 10 });
    s.send({ type: 'connection.signal', at_ms: 11, signal: 'silence' });
    s.send(arbitrate(20));
    s.send({ type: 'connection.signal', at_ms: 21, signal: 'reconnecting' });
    s.send({ type: 'connection.signal', at_ms: 22, signal: 'stall' });
    s.appended(23);
    s.send({ type: 'connection.signal', at_ms: 24, signal: 'disconnected' });
    s.send({ type: 'connection.signal', at_ms: 25, signal: 'ended' });
    expect(lines(s.outputs)).toEqual([
      'connected RK-23 session',
      'turn_open_proposed(session_turn_intent) RK-02 session',
      'Idle -(turn_open_proposed)-> Opening',
      'silence RK-23 session',
      'turn_open RK-03 turn-1',
      'Opening -(turn_open)-> Active',
      'reconnecting RK-23 turn-1',
      'disconnected(transport_disconnect_or_stall) RK-23 turn-1',
      'stall(transport_disconnect_or_stall) RK-23 turn-1',
      'evidence turn-1/evidence/1',
      ...ended('turn-1', 'abort(transport_disconnect_or_stall)'),
      'disconnected(transport_disconnect_or_stall) RK-23 session',
      'ended RK-23 session',
    ]);
    expectLegal(s.outputs);
  });

  it('tears down an active turn on session end: one terminal, close, then done', () => {
    const s = start();
    s.send({ type: 'user.transcript.final', at_ms: 10 }, arbitrate(20));
    s.send({ type: 'session.end', at_ms: 30 });
    expect(s.value()).toEqual({ ending: 'awaiting' });
    s.send({ type: 'user.transcript.final', at_ms: 31 }); // ignored while ending
    s.appended(32);
    expect(lines(s.outputs).slice(4)).toEqual([
      'disconnected(transport_disconnect_or_stall) RK-23 turn-1',
      'stall(transport_disconnect_or_stall) RK-23 turn-1',
      'evidence turn-1/evidence/1',
      ...ended('turn-1', 'abort(transport_disconnect_or_stall)'),
    ]);
    expect(s.actor.getSnapshot().status).toBe('done');
    expectLegal(s.outputs);
  });

  it('keeps a finalizing turn on session end and ends after its Stage-A timeout', () => {
    const s = start();
    s.send({ type: 'user.transcript.final', at_ms: 10 }, arbitrate(20));
    s.send({ type: 'turn.generation.completed', at_ms: 30 }, { type: 'session.end', at_ms: 40 });
    s.clock.increment(1000);
    expect(lines(s.outputs).slice(4)).toEqual([
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
      arbitrate(20),
      { type: 'user.transcript.final', at_ms: 21 },
      { type: 'connection.signal', at_ms: 22, signal: 'disconnected' },
      { type: 'pipeline.event', at_ms: 23, authority_epoch: 3 },
    );
    s.clock.increment(10_000);
    expect(s.outputs.length).toBe(before);
    expect(lines(s.outputs)).toEqual([
      'turn_open_proposed(session_turn_intent) RK-02 session',
      'Idle -(turn_open_proposed)-> Opening',
    ]);
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

  it('drops (default) or queues a proposal made while a turn is Opening', () => {
    const dropped = start();
    dropped.send(
      { type: 'user.transcript.final', at_ms: 10 },
      { type: 'user.transcript.final', at_ms: 11 },
    );
    dropped.send({ ...arbitrate(20), snapshot_valid: false });
    expect(dropped.value()).toBe('idle');
    expect(lines(dropped.outputs)).toEqual([
      'turn_open_proposed(session_turn_intent) RK-02 session',
      'Idle -(turn_open_proposed)-> Opening',
      'outcome defer(snapshot_invalid_or_missing) RK-25',
      'defer(snapshot_invalid_or_missing) RK-25 turn-1',
      'Opening -(defer)-> Idle',
    ]);

    const queued = start({ policies: { opening_proposal: 'queue' } });
    queued.send(
      { type: 'user.transcript.final', at_ms: 10 },
      { type: 'user.transcript.final', at_ms: 11 },
    );
    queued.send({ ...arbitrate(20), snapshot_valid: false });
    expect(queued.value()).toEqual({ opening: 'quiet' });
    expect(lines(queued.outputs).slice(5)).toEqual([
      'turn_open_proposed(session_turn_intent) RK-02 session',
      'Idle -(turn_open_proposed)-> Opening',
    ]);
    expect(queued.actor.getSnapshot().context.current_turn).toBe('turn-2');
    expectLegal(queued.outputs);
  });

  it('routes late events to the closed turn, whose remap policy proposes a new turn', () => {
    const s = start({ policies: { turn: { late_event: 'remap' } } });
    s.send({ type: 'user.transcript.final', at_ms: 10 }, arbitrate(20), {
      type: 'turn.cancel',
      at_ms: 30,
    });
    s.appended(31);
    const before = s.outputs.length;
    s.send({ type: 'pipeline.event', at_ms: 40, turn_id: 'turn-1', node_id: 'tts' });
    s.send({ type: 'pipeline.event', at_ms: 41, turn_id: 'turn-9' }); // unknown turn: dropped
    expect(lines(s.outputs.slice(before))).toEqual([
      'remapped turn-1 pipeline.event',
      'turn_open_proposed(session_turn_intent) RK-02 session',
      'Idle -(turn_open_proposed)-> Opening',
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
