import { describe, expect, it } from 'vitest';
import {
  createActor,
  createMachine,
  fromCallback,
  SimulatedClock,
  type AnyStateMachine,
  type EventObject,
} from 'xstate';
import type { InvocationInput, InvocationResult } from './invocation/types.ts';
import { createTestModel, getShortestPaths, getStateNodes, TestModel } from 'xstate/graph';
import { nodeMachine } from './node.machine.ts';
import { resolveBudget, type NodeEmitted, type NodeInput } from './node/types.ts';
import {
  NODE_AFTER_EVENTS,
  nodePathEvents,
  nodePathFilterEvents,
  nodePathInput,
  nodeSerializeState,
} from './node.path-events.ts';

const identity = {
  session_id: 'sess-1',
  turn_id: 'turn-1',
  pipeline_version: 'pipeline-v1',
  authority_epoch: 7,
};

function invocationOf(event_id: string, provider: string): InvocationInput {
  return {
    identity,
    event_id,
    modality: 'llm',
    preferred_provider_id: provider,
    provider_ids: [provider],
    allowed_adaptive_actions: ['retry'],
  };
}

/** An `invocation` child that records what it is given and sent. */
function recordingInvocation(log: string[]) {
  return fromCallback<EventObject, InvocationInput | null>(({ input, receive }) => {
    log.push(`start ${input?.event_id ?? 'none'}`);
    receive((event) => log.push(`${event.type} ${input?.event_id ?? 'none'}`));
    return () => log.push(`stop ${input?.event_id ?? 'none'}`);
  });
}

function failedResult(delivered = false): InvocationResult {
  return {
    status: 'exhausted',
    provider_invocation_id: 'pvi/x',
    provider_id: 'llm-a',
    outcome_class: 'timeout',
    reason: 'provider_timeout',
    attempt_count: 1,
    outcome: null,
    delivered,
  };
}

function start(input: Partial<NodeInput> = {}) {
  const clock = new SimulatedClock();
  const actor = createActor(nodeMachine, {
    clock,
    input: {
      identity,
      node_id: 'node-a',
      allowed_adaptive_actions: [],
      invocation: invocationOf('node-a', 'llm-a'),
      ...input,
    },
  });
  const out: NodeEmitted[] = [];
  actor.on('*', (event) => out.push(event));
  actor.start();
  return { actor, clock, out };
}

function brief(event: NodeEmitted): string {
  switch (event.type) {
    case 'control.signal':
      return `${event.signal.signal}(${event.signal.reason ?? ''})@${event.signal.runtime_timestamp_ms}`;
    case 'node.decision':
      return `decision:${event.decision.kind}/${event.decision.cause}@${event.decision.at_ms}`;
    case 'node.hook':
      return `hook:${event.hook}@${event.at_ms}`;
    case 'node.abort.requested':
      return `abort-requested:${event.reason}/${event.cause}@${event.at_ms}`;
    case 'invocation.attempt':
      return `attempt:${event.record.outcome_class}`;
  }
}

describe('nodeMachine', () => {
  it('starts running within budget and emits nothing', () => {
    const { actor, out } = start();
    expect(actor.getSnapshot().value).toEqual({
      active: { primary: { running: { warning: 'within_budget', exhaustion: 'counting' } } },
    });
    expect(actor.getSnapshot().context.decision).toEqual({
      kind: 'continue_within_budget',
      reason: 'within_budget',
      cause: 'start',
      at_ms: 0,
      elapsed_ms: 0,
    });
    expect(out).toEqual([]);
  });

  it('keeps the decision as data in context and output', () => {
    const { actor, clock } = start({ allowed_adaptive_actions: ['degrade'] });
    clock.increment(1200);
    expect(actor.getSnapshot().context.decision.kind).toBe('continue_with_warning');
    clock.increment(300);
    expect(actor.getSnapshot().context.decision).toMatchObject({
      kind: 'degrade',
      elapsed_ms: 1500,
    });
    actor.send({ type: 'node.completed', at_ms: 1700 });
    expect(actor.getSnapshot().output).toEqual({
      node_id: 'node-a',
      status: 'done',
      mode: 'degraded',
      decision: {
        kind: 'degrade',
        reason: 'node_timeout_or_failure',
        cause: 'budget_exhausted',
        at_ms: 1500,
        elapsed_ms: 1500,
      },
      abort_reason: null,
      failure: null,
      config_error: null,
    });
  });

  it('stamps budget timers from the start time plus the delay', () => {
    const { clock, out } = start({ started_at_ms: 5000, started_wall_ms: 1_700_000_000_000 });
    clock.increment(1200);
    const [warning] = out;
    expect(warning?.type === 'control.signal' && warning.signal).toMatchObject({
      runtime_timestamp_ms: 6200,
      wall_clock_timestamp_ms: 1_700_000_001_200,
    });
  });

  it('escalates degrade -> fallback -> terminate on repeated failures', () => {
    const { actor, out } = start({
      allowed_adaptive_actions: ['degrade', 'fallback'],
      invocation: invocationOf('node-a', 'llm-a'),
      fallback: invocationOf('node-a-fallback', 'llm-b'),
    });
    actor.send({ type: 'node.error.raised', at_ms: 100, kind: 'error' });
    actor.send({ type: 'node.error.raised', at_ms: 200, kind: 'crash' });
    actor.send({ type: 'node.error.raised', at_ms: 300, kind: 'error', code: 'E_IO' });
    expect(out.map(brief)).toEqual([
      'degrade(node_timeout_or_failure)@100',
      'decision:degrade/node_error@100',
      'fallback(node_timeout_or_failure)@200',
      'decision:fallback/node_crash@200',
      'decision:terminate/node_error@300',
      'abort-requested:node_timeout_or_failure/node_error@300',
    ]);
    expect(out.at(-1)).toMatchObject({ detail: 'node error code=E_IO' });
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('stops budget timers once the node leaves running', () => {
    const { actor, clock, out } = start({ allowed_adaptive_actions: ['degrade'] });
    actor.send({ type: 'node.error.raised', at_ms: 10, kind: 'crash' });
    clock.increment(5000);
    expect(out.map(brief)).toEqual([
      'degrade(node_timeout_or_failure)@10',
      'decision:degrade/node_crash@10',
    ]);
    expect(actor.getSnapshot().value).toEqual({ active: { primary: 'degraded' } });
  });

  it('meets its budget with the first output: a long stream is never cut by it', () => {
    const { actor, clock, out } = start();
    clock.increment(300);
    actor.send({ type: 'invocation.output_started', at_ms: 300, wall_ms: 300 });
    expect(actor.getSnapshot().value).toEqual({ active: { primary: 'streaming' } });
    clock.increment(60_000);
    expect(out).toEqual([]);
    expect(actor.getSnapshot().context.first_output_at_ms).toBe(300);
  });

  it('ends a degraded node with what it delivered once its provider gave up', () => {
    const log: string[] = [];
    const clock = new SimulatedClock();
    const parent = createActor(
      createMachine({
        context: { seen: [] as string[] },
        invoke: {
          id: 'node',
          src: nodeMachine.provide({ actors: { invocation: recordingInvocation(log) } }),
          input: {
            identity,
            node_id: 'llm',
            allowed_adaptive_actions: ['degrade'],
            invocation: invocationOf('llm', 'llm-a'),
          },
        },
        on: { '*': { actions: ({ event }) => log.push(`parent got ${event.type}`) } },
      }),
      { clock },
    ).start();
    const node = parent.getSnapshot().children['node'] as ReturnType<
      typeof createActor<typeof nodeMachine>
    >;
    node.send({ type: 'invocation.output_started', at_ms: 100, wall_ms: 100 });
    node.send({
      type: 'invocation.outcome',
      at_ms: 200,
      wall_ms: 200,
      result: failedResult(true),
    });
    expect(node.getSnapshot().output).toMatchObject({ status: 'done', mode: 'degraded' });
    expect(log).toEqual([
      'start llm',
      'invocation.start llm',
      'stop llm',
      'parent got xstate.done.actor.node',
    ]);
  });

  it('runs the fallback branch in place of the primary invocation, with its own budget', () => {
    const log: string[] = [];
    const clock = new SimulatedClock();
    const actor = createActor(
      nodeMachine.provide({ actors: { invocation: recordingInvocation(log) } }),
      {
        clock,
        input: {
          identity,
          node_id: 'llm',
          allowed_adaptive_actions: ['fallback'],
          invocation: invocationOf('llm', 'llm-a'),
          fallback: invocationOf('llm-fallback', 'llm-b'),
        },
      },
    );
    const out: NodeEmitted[] = [];
    actor.on('*', (event) => out.push(event));
    actor.start();
    clock.increment(1500); // no output: the primary's budget is exhausted
    expect(actor.getSnapshot().value).toMatchObject({ active: { fallback: { running: {} } } });
    expect(log).toEqual([
      'start llm',
      'invocation.start llm',
      'invocation.cancel llm',
      'stop llm',
      'start llm-fallback',
      'invocation.start llm-fallback',
    ]);
    clock.increment(1500); // the fallback's own budget runs from the switch
    expect(out.map(brief)).toEqual([
      'budget_warning(node_budget_threshold_exceeded)@1200',
      'decision:continue_with_warning/budget_warning@1200',
      'budget_exhausted(node_timeout_or_failure)@1500',
      'hook:on_budget_exhausted@1500',
      'fallback(node_timeout_or_failure)@1500',
      'decision:fallback/budget_exhausted@1500',
      'budget_warning(node_budget_threshold_exceeded)@2700',
      'decision:continue_with_warning/budget_warning@2700',
      'budget_exhausted(node_timeout_or_failure)@3000',
      'hook:on_budget_exhausted@3000',
      'decision:terminate/budget_exhausted@3000',
      'abort-requested:node_timeout_or_failure/budget_exhausted@3000',
    ]);
    expect(log.at(-1)).toBe('stop llm-fallback');
  });

  it('never takes a fallback it has no branch for', () => {
    const { actor, out } = start({ allowed_adaptive_actions: ['fallback'] });
    actor.send({ type: 'invocation.outcome', at_ms: 5, wall_ms: 5, result: failedResult() });
    expect(actor.getSnapshot().value).toBe('failed');
    expect(out.map(brief)).toEqual([
      'decision:terminate/provider_failure@5',
      'abort-requested:provider_failure/provider_failure@5',
    ]);
  });

  it('tells a running invocation it is cancelled before stopping it', () => {
    const log: string[] = [];
    const actor = createActor(
      nodeMachine.provide({ actors: { invocation: recordingInvocation(log) } }),
      {
        input: {
          identity,
          node_id: 'tts',
          allowed_adaptive_actions: [],
          invocation: invocationOf('tts', 'tts-a'),
        },
      },
    ).start();
    actor.send({ type: 'node.barge_in', at_ms: 10 });
    expect(log).toEqual(['start tts', 'invocation.start tts', 'invocation.cancel tts', 'stop tts']);
    expect(actor.getSnapshot().value).toBe('cancelled');
  });

  it('keeps the first output time and ignores chunks for the decision', () => {
    const { actor } = start();
    actor.send({ type: 'node.chunk.produced', at_ms: 40 });
    actor.send({ type: 'node.chunk.produced', at_ms: 90 });
    expect(actor.getSnapshot().context.first_output_at_ms).toBe(40);
    expect(actor.getSnapshot().context.decision.kind).toBe('continue_within_budget');
  });

  it('never moves time backwards for out-of-order event times', () => {
    const { actor, out } = start({ allowed_adaptive_actions: ['degrade'] });
    actor.send({ type: 'node.chunk.produced', at_ms: 400 });
    actor.send({ type: 'node.error.raised', at_ms: 100, kind: 'crash' });
    expect(out.map(brief)[0]).toBe('degrade(node_timeout_or_failure)@400');
  });

  describe('budget config', () => {
    it('resolves defaults 1200/1500 ms', () => {
      expect(resolveBudget(undefined)).toEqual({
        budget: { warn_ms: 1200, exhaust_ms: 1500 },
        error: null,
      });
    });

    it.each([
      [
        { warn_ms: 2000, exhaust_ms: 1500 },
        'node budget: warn_ms (2000) must be <= exhaust_ms (1500)',
      ],
      [{ warn_ms: Number.NaN }, 'node budget: warn_ms must be a finite number >= 0, got NaN'],
      [{ exhaust_ms: -1 }, 'node budget: exhaust_ms must be a finite number >= 0, got -1'],
      [
        { exhaust_ms: Infinity },
        'node budget: exhaust_ms must be a finite number >= 0, got Infinity',
      ],
    ])('rejects %j with a clear reason', (budget, message) => {
      expect(resolveBudget(budget).error).toBe(message);
      const { actor, clock, out } = start({ budget });
      clock.increment(10_000);
      expect(actor.getSnapshot().value).toBe('failed');
      expect(actor.getSnapshot().output).toMatchObject({ status: 'failed', config_error: message });
      expect(out.map(brief)).toEqual([
        'decision:terminate/config_error@0',
        'abort-requested:node_timeout_or_failure/config_error@0',
      ]);
    });
  });
});

describe('nodeMachine path events', () => {
  it('lists exactly the delayed events the machine declares', () => {
    const after = getStateNodes(nodeMachine.root).flatMap((n) =>
      (n.after as { eventType: string }[]).map((t) => t.eventType),
    );
    expect([...new Set(after)].sort()).toEqual(Object.values(NODE_AFTER_EVENTS).sort());
  });

  // Live replay of every path and 100% transition coverage are checked by the generated
  // suite in test/paths (`npx rspp paths`), which uses these same path events.
  it('terminates traversal with the default and the recommended serializer', () => {
    const paths = getShortestPaths(nodeMachine, {
      input: nodePathInput,
      events: nodePathEvents as never,
      filterEvents: nodePathFilterEvents,
    });
    expect(paths.length).toBeGreaterThan(0);
    const model = new TestModel(nodeMachine as AnyStateMachine, {
      events: nodePathEvents as never,
      serializeState: nodeSerializeState as never,
      filterEvents: nodePathFilterEvents as never,
    });
    expect(model.getSimplePaths({ input: nodePathInput } as never).length).toBeGreaterThan(0);
  });

  it('cannot use createTestModel: xstate rejects machines with after delays', () => {
    expect(() => createTestModel(nodeMachine)).toThrow(/not supported/);
  });
});
