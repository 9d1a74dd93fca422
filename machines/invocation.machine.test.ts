import { describe, expect, it } from 'vitest';
import {
  createActor,
  createMachine,
  fromCallback,
  SimulatedClock,
  type AnyStateMachine,
  type EventObject,
} from 'xstate';
import { createTestModel, getStateNodes, TestModel } from 'xstate/graph';
import { invocationMachine } from './invocation.machine.ts';
import { attemptRequest, normalizeOutcome } from './invocation/records.ts';
import {
  defaultProviderInvocationId,
  initialInvocationContext,
  invocationActions,
  orderCandidates,
} from './invocation/input.ts';
import type { AttemptRequest, InvocationInput } from './invocation/types.ts';
import {
  INVOCATION_AFTER_EVENTS,
  invocationPathEvents,
  invocationPathInput,
  invocationSerializeState,
} from './invocation.path-events.ts';

const identity = {
  session_id: 'sess-1',
  turn_id: 'turn-1',
  pipeline_version: 'pipeline-v1',
  authority_epoch: 7,
};

const input: InvocationInput = {
  identity,
  event_id: 'evt-9',
  modality: 'tts',
  preferred_provider_id: 'tts-google',
  provider_ids: ['tts-google', 'tts-amazon-polly', 'tts-elevenlabs'],
  allowed_adaptive_actions: ['retry', 'provider_switch', 'degrade', 'fallback'],
};

describe('invocation input normalization', () => {
  it('orders candidates: preferred first, then provider_id ascending, deduplicated', () => {
    expect(orderCandidates('p-c', ['p-d', 'p-b', 'p-c', 'p-a', 'p-b'], 5)).toEqual([
      'p-c',
      'p-a',
      'p-b',
      'p-d',
    ]);
  });

  it('caps candidates at max_candidates (5 by default, never more)', () => {
    const ids = ['p-7', 'p-6', 'p-5', 'p-4', 'p-3', 'p-2', 'p-1'];
    expect(orderCandidates('p-6', ids, 5)).toEqual(['p-6', 'p-1', 'p-2', 'p-3', 'p-4']);
    expect(
      initialInvocationContext({
        ...input,
        provider_ids: ids,
        preferred_provider_id: 'p-6',
        max_candidates: 9,
      }).candidates,
    ).toHaveLength(5);
  });

  it('has no candidates when the preferred provider is not in the catalogue', () => {
    expect(orderCandidates('p-x', ['p-a'], 5)).toEqual([]);
    expect(
      initialInvocationContext({ ...input, preferred_provider_id: 'nope' }).preferred_missing,
    ).toBe(true);
  });

  it('keeps only RK-11 actions, sorted and unique', () => {
    expect(invocationActions(['retry', 'degrade', 'fallback', 'retry', 'provider_switch'])).toEqual(
      ['fallback', 'provider_switch', 'retry'],
    );
  });

  it('defaults provider_invocation_id, attempts, timeout by modality', () => {
    const context = initialInvocationContext(input);
    expect(context.provider_invocation_id).toBe('pvi/sess-1/turn-1/evt-9/tts');
    expect(context.max_attempts).toBe(2);
    expect(context.timeout_ms).toBe(15_000);
    expect(initialInvocationContext({ ...input, modality: 'stt' }).timeout_ms).toBe(10_000);
    expect(defaultProviderInvocationId({ ...identity, turn_id: undefined }, 'evt/a b', 'llm')).toBe(
      'pvi/sess-1/sess-1/evt_a_b/llm',
    );
  });

  it('normalizes adapter outcomes so they are always legal', () => {
    expect(normalizeOutcome({ class: 'success', retryable: true, circuit_open: true })).toEqual({
      class: 'success',
      retryable: false,
      reason: null,
      circuit_open: false,
      backoff_ms: 0,
    });
    expect(normalizeOutcome({ class: 'overload', retryable: true, backoff_ms: -3 })).toEqual({
      class: 'overload',
      retryable: true,
      reason: 'reason_unspecified',
      circuit_open: false,
      backoff_ms: 0,
    });
  });
});

describe('invocationMachine attempts', () => {
  it('hands the per-attempt request of providers-transport.md to the attempt actor', () => {
    const requests: AttemptRequest[] = [];
    const attempt = fromCallback<EventObject, AttemptRequest>(({ input: request }) => {
      requests.push(request);
    });
    const actor = createActor(invocationMachine.provide({ actors: { attempt } }), {
      input,
      clock: new SimulatedClock(),
    }).start();
    actor.send({ type: 'invocation.start', at_ms: 40, wall_ms: 1040 });
    expect(requests).toEqual([
      {
        session_id: 'sess-1',
        turn_id: 'turn-1',
        pipeline_version: 'pipeline-v1',
        event_id: 'evt-9',
        provider_invocation_id: 'pvi/sess-1/turn-1/evt-9/tts',
        provider_id: 'tts-google',
        modality: 'tts',
        attempt: 1,
        transport_sequence: 1,
        runtime_sequence: 1,
        authority_epoch: 7,
        runtime_timestamp_ms: 40,
        wall_clock_timestamp_ms: 1040,
        cancel_requested: false,
        allowed_adaptive_actions: ['fallback', 'provider_switch', 'retry'],
        retry_budget_remaining: 1,
        candidate_provider_count: 3,
      },
    ]);
    expect(attemptRequest(actor.getSnapshot().context)).toEqual(requests[0]);
  });

  it('ignores a stale result of another attempt or provider', () => {
    const actor = createActor(invocationMachine, { input }).start();
    actor.send({ type: 'invocation.start', at_ms: 0 });
    actor.send({
      type: 'attempt.result',
      at_ms: 5,
      provider_id: 'tts-elevenlabs',
      outcome: { class: 'success', retryable: false },
    });
    actor.send({
      type: 'attempt.result',
      at_ms: 5,
      attempt: 2,
      outcome: { class: 'success', retryable: false },
    });
    expect(actor.getSnapshot().value).toBe('attempting');
    actor.send({
      type: 'attempt.result',
      at_ms: 6,
      provider_id: 'tts-google',
      attempt: 1,
      outcome: { class: 'success', retryable: false },
    });
    expect(actor.getSnapshot().value).toBe('succeeded');
  });
});

describe('invocationMachine path events', () => {
  it('lists exactly the delayed events the machine declares', () => {
    const after = getStateNodes(invocationMachine.root).flatMap((n) =>
      (n.after as { eventType: string }[]).map((t) => t.eventType),
    );
    expect([...new Set(after)].sort()).toEqual(Object.values(INVOCATION_AFTER_EVENTS).sort());
  });

  // Live replay of every path and 100% transition coverage are checked by the generated
  // suite in test/paths (`npx rspp paths`), which uses these same path events.
  it('terminates traversal with the recommended serializer (TestModel)', () => {
    const model = new TestModel(invocationMachine as AnyStateMachine, {
      events: invocationPathEvents as never,
      serializeState: invocationSerializeState as never,
    });
    expect(model.getShortestPaths({ input: invocationPathInput } as never).length).toBeGreaterThan(
      5,
    );
  });

  it('cannot use createTestModel: xstate rejects machines with invoke and after', () => {
    expect(() => createTestModel(invocationMachine)).toThrow(/not supported/);
  });
});

describe('invocationMachine after delivered output (issue 9, item 9)', () => {
  const failure = {
    class: 'infrastructure_failure',
    retryable: true,
    reason: 'provider_transport_error',
    backoff_ms: 0,
  } as const;

  function run(extra: Partial<InvocationInput> = {}) {
    const actor = createActor(invocationMachine, {
      clock: new SimulatedClock(),
      input: { ...input, ...extra },
    }).start();
    actor.send({ type: 'invocation.start', at_ms: 0 });
    return actor;
  }

  it('retries and switches while nothing was delivered', () => {
    const actor = run();
    actor.send({ type: 'attempt.result', at_ms: 10, outcome: failure });
    expect(actor.getSnapshot().context).toMatchObject({ provider_attempt: 2, provider_index: 0 });
  });

  it('ends with what was delivered instead of re-generating on the same or another provider', () => {
    const actor = run();
    actor.send({ type: 'attempt.output', at_ms: 5 });
    actor.send({ type: 'attempt.result', at_ms: 10, outcome: failure });
    const snapshot = actor.getSnapshot();
    expect(snapshot.value).toBe('exhausted');
    expect(snapshot.output).toMatchObject({
      status: 'exhausted',
      attempt_count: 1,
      delivered: true,
      outcome_class: 'infrastructure_failure',
    });
  });

  it('retries a provider that declares a safe resume, and never switches away from it', () => {
    const actor = run({ resumable_provider_ids: ['tts-google'] });
    actor.send({ type: 'attempt.output', at_ms: 5 });
    actor.send({ type: 'attempt.result', at_ms: 10, outcome: failure });
    expect(actor.getSnapshot().context).toMatchObject({ provider_attempt: 2, provider_index: 0 });
    actor.send({ type: 'attempt.result', at_ms: 20, outcome: failure });
    expect(actor.getSnapshot().value).toBe('exhausted');
    expect(actor.getSnapshot().output?.attempt_count).toBe(2);
  });

  it('ignores output reported by an attempt that is no longer current', () => {
    const actor = run();
    actor.send({ type: 'attempt.output', at_ms: 5, attempt: 7 });
    actor.send({ type: 'attempt.result', at_ms: 10, outcome: failure });
    expect(actor.getSnapshot().context.delivered).toBe(false);
    expect(actor.getSnapshot().value).toBe('attempting');
  });

  it('tells a parent when output started, and how it ended by its done event alone', () => {
    const seen: string[] = [];
    const parent = createActor(
      createMachine({
        invoke: { id: 'inv', src: invocationMachine, input },
        on: { '*': { actions: ({ event }) => seen.push(event.type) } },
      }),
    ).start();
    const child = parent.getSnapshot().children['inv'] as ReturnType<
      typeof createActor<typeof invocationMachine>
    >;
    child.send({ type: 'invocation.start', at_ms: 0 });
    child.send({ type: 'attempt.output', at_ms: 5 });
    child.send({ type: 'attempt.output', at_ms: 6 });
    child.send({
      type: 'attempt.result',
      at_ms: 10,
      outcome: { class: 'success', retryable: false },
    });
    expect(seen).toEqual([
      'invocation.output_started',
      'invocation.report',
      'xstate.done.actor.inv',
    ]);
  });
});
