import { assign, createActor, fromPromise, setup, type InspectionEvent } from 'xstate';
import { describe, expect, it } from 'vitest';
import { flattenStateValue, projectInspection } from './projection.ts';

const SECRET = 'my card number is 4111';

const machine = setup({
  types: {
    context: {} as { heard: string },
    events: {} as { type: 'user.said'; text: string } | { type: 'done' },
  },
  actors: { work: fromPromise(() => Promise.resolve(SECRET)) },
}).createMachine({
  id: 'probe',
  context: { heard: '' },
  initial: 'idle',
  states: {
    idle: {
      on: {
        'user.said': { target: 'busy', actions: assign({ heard: ({ event }) => event.text }) },
      },
    },
    busy: {
      invoke: { id: 'worker', src: 'work' },
      initial: 'a',
      states: { a: { on: { done: 'b' } }, b: {} },
    },
  },
});

describe('projectInspection', () => {
  it('keeps ids, machine, state and event type, and no payload, context or output', async () => {
    const events: InspectionEvent[] = [];
    const actor = createActor(machine, { inspect: (e) => events.push(e) }).start();
    actor.send({ type: 'user.said', text: SECRET });
    actor.send({ type: 'done' });
    await new Promise((resolve) => setImmediate(resolve));
    const projected = events.map(projectInspection).filter((m) => m !== null);
    expect(JSON.stringify(projected)).not.toContain('4111');
    // The raw inspection stream does carry it: the projection is what removes it.
    expect(
      events.some((e) =>
        JSON.stringify(e.type === '@xstate.event' ? e.event : {}).includes('4111'),
      ),
    ).toBe(true);
    const states = projected.filter((m) => m.t === 'state').map((m) => m.actor);
    expect(states).toContainEqual(
      expect.objectContaining({
        id: actor.id,
        parent: null,
        machine: 'probe',
        value: 'busy.b',
        states: ['probe.busy', 'probe.busy.b'],
        event: 'done',
        status: 'active',
      }),
    );
    const worker = projected.find(
      (m): m is Extract<typeof m, { t: 'actor' }> => m.t === 'actor' && m.actor.id === 'worker',
    );
    expect(worker?.actor).toMatchObject({ machine: null, parent: actor.sessionId });
    expect(Object.keys(worker?.actor ?? {}).sort()).toEqual(
      ['event', 'id', 'machine', 'parent', 'ref', 'states', 'status', 'value'].sort(),
    );
    actor.stop();
  });

  it('gives null for events, actions and microsteps', () => {
    const events: InspectionEvent[] = [];
    createActor(machine, { inspect: (e) => events.push(e) })
      .start()
      .send({ type: 'user.said', text: SECRET });
    const dropped = events.filter((e) => projectInspection(e) === null).map((e) => e.type);
    expect(new Set(dropped)).toEqual(
      new Set(['@xstate.event', '@xstate.microstep', '@xstate.action']),
    );
  });
});

describe('flattenStateValue', () => {
  it('lists every active state node id and the dotted leaves, parallel regions included', () => {
    expect(flattenStateValue('turn', 'Closed')).toEqual({
      value: 'Closed',
      states: ['turn.Closed'],
    });
    expect(flattenStateValue('turn', { Active: { finalizing: 'committing' } })).toEqual({
      value: 'Active.finalizing.committing',
      states: ['turn.Active', 'turn.Active.finalizing', 'turn.Active.finalizing.committing'],
    });
    expect(flattenStateValue('n', { run: { a: 'x', b: 'y' } })).toEqual({
      value: 'run.a.x, run.b.y',
      states: ['n.run', 'n.run.a', 'n.run.a.x', 'n.run.b', 'n.run.b.y'],
    });
  });
});
