import {
  createActor,
  fromCallback,
  transition,
  type AnyStateMachine,
  type StateNode,
} from 'xstate';
import { describe, expect, it } from 'vitest';
import { sessionAuthorityEnding, sessionTurnEnding, turnFencesOn } from './fence-ahead.ts';
import { sessionMachine } from './session.machine.ts';
import { initialSessionContext } from './session/effects.ts';
import type { SessionEvent } from './session/types.ts';
import { turnMachine } from './turn.machine.ts';
import { initialContext } from './turn/effects.ts';
import type { TurnEvent } from './turn/types.ts';

type Value = string | { [key: string]: Value };

/** Every state value of a machine: one per leaf (compound states enter their leaves). */
function leafValues(machine: AnyStateMachine): Value[] {
  const values: Value[] = [];
  const visit = (node: StateNode, path: string[]) => {
    const children = Object.values(node.states);
    if (children.length === 0) {
      const value = path.reduceRight<Value | null>(
        (inner, key) => (inner === null ? key : { [key]: inner }),
        null,
      );
      if (value !== null) values.push(value);
      return;
    }
    for (const child of children) visit(child, [...path, child.key]);
  };
  visit(machine.root, []);
  return values;
}

/** The actions one pure step of `machine` would run for `event` in state `value`. */
function stepActions(
  machine: AnyStateMachine,
  value: Value,
  context: object,
  event: object,
  children: readonly string[] = [],
) {
  const snapshot = machine.resolveState({ value, context });
  // Children its `sendTo` can resolve (never started).
  for (const id of children)
    (snapshot.children as Record<string, unknown>)[id] = createActor(IDLE, { id });
  const [, actions] = transition(machine, snapshot, event as never);
  return { snapshot, actions };
}

const IDLE = fromCallback(() => undefined);

const TURN_INPUT = {
  session_id: 'sess-1',
  turn_id: 'turn-1',
  pipeline_version: 'pipeline-v1',
  authority_epoch: 7,
};

describe('turnFencesOn', () => {
  const events: TurnEvent[] = [
    { type: 'turn.cancel', at_ms: 5, wall_ms: 5 },
    { type: 'turn.cancel', at_ms: 5, wall_ms: 5, authority_epoch: 7 },
    { type: 'turn.cancel', at_ms: 5, wall_ms: 5, authority_epoch: 3 },
    { type: 'turn.barge_in', at_ms: 5, wall_ms: 5 },
    { type: 'turn.barge_in', at_ms: 5, wall_ms: 5, authority_epoch: 8 },
    { type: 'turn.generation.completed', at_ms: 5, wall_ms: 5 },
    { type: 'turn.authority', epoch: 7, authorized: true, at_ms: 5 },
    { type: 'turn.authority', epoch: 8, authorized: true, at_ms: 5 },
    { type: 'turn.authority', epoch: 7, authorized: false, at_ms: 5 },
    { type: 'turn.revoke', at_ms: 5 },
  ];
  const values = leafValues(turnMachine);

  it('covers every state of the turn machine', () => {
    expect(values.length).toBeGreaterThan(8);
  });

  for (const value of values) {
    it(`agrees with the machine in ${JSON.stringify(value)}`, () => {
      const context = initialContext(TURN_INPUT);
      for (const event of events) {
        const { snapshot, actions } = stepActions(turnMachine, value, context, event, [
          'generation',
          'evidence',
        ]);
        const fences = actions.some((a) => (a.type as string) === 'fenceEgress');
        expect({ event, fences: turnFencesOn(snapshot, event) }).toEqual({ event, fences });
      }
    });
  }
});

describe('sessionTurnEnding', () => {
  const events: SessionEvent[] = [
    { type: 'user.speech.started', at_ms: 5, wall_ms: 5 },
    { type: 'user.transcript.final', at_ms: 5, wall_ms: 5, input_id: 'in-1' },
    { type: 'turn.cancel', at_ms: 5, wall_ms: 5 },
    { type: 'turn.cancel', at_ms: 5, wall_ms: 5, turn_id: 'turn-2' },
    { type: 'turn.cancel', at_ms: 5, wall_ms: 5, turn_id: 'turn-9' },
    { type: 'connection.signal', signal: 'connected', at_ms: 5, wall_ms: 5 },
  ];
  const context = {
    ...initialSessionContext({ session_id: 'sess-1', pipeline_version: 'v1', authority_epoch: 7 }),
    turn_seq: 3,
    current_turn: 'turn-3',
    previous_turn: 'turn-2',
  };

  for (const value of leafValues(sessionMachine)) {
    it(`names the turn event the machine sends in ${JSON.stringify(value)}`, () => {
      for (const event of events) {
        const { snapshot, actions } = stepActions(sessionMachine, value, context, event, [
          'turn-2',
          'turn-3',
        ]);
        const sent = actions.flatMap((a) => {
          const params = a.params as
            { to?: { id?: string }; event?: { type?: string } } | undefined;
          const type = params?.event?.type;
          return a.type === 'xstate.sendTo' && (type === 'turn.cancel' || type === 'turn.barge_in')
            ? [{ turn_id: params?.to?.id, type }]
            : [];
        });
        const ending = sessionTurnEnding(snapshot, event);
        const predicted =
          ending === null ? [] : [{ turn_id: ending.turn_id, type: ending.event.type }];
        expect({ value, event: event.type, sent: predicted }).toEqual({
          value,
          event: event.type,
          sent,
        });
      }
    });
  }
});

describe('sessionAuthorityEnding', () => {
  const context = {
    ...initialSessionContext({ session_id: 'sess-1', pipeline_version: 'v1', authority_epoch: 7 }),
    turn_seq: 3,
    current_turn: 'turn-3',
    previous_turn: 'turn-2',
  };
  const change = { epoch: 8, authorized: false, at_ms: 5 };

  for (const value of leafValues(sessionMachine)) {
    it(`names the turn the machine tells of an authority change in ${JSON.stringify(value)}`, () => {
      const event = { type: 'session.authority', ...change, wall_ms: 5 };
      const { snapshot, actions } = stepActions(sessionMachine, value, context, event, [
        'turn-2',
        'turn-3',
      ]);
      const sent = actions.flatMap((a) => {
        const params = a.params as { to?: { id?: string }; event?: { type?: string } } | undefined;
        return a.type === 'xstate.sendTo' && params?.event?.type === 'turn.authority'
          ? [params.to?.id]
          : [];
      });
      const ending = sessionAuthorityEnding(snapshot, change);
      expect(ending === null ? [] : [ending.turn_id]).toEqual(sent);
    });
  }
});
