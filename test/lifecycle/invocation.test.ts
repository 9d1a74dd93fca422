// F3 / RK-11: provider invocation controller scenarios with exact ordered outputs, driven by a
// real provided `attempt` callback actor and a SimulatedClock; every artifact is schema-checked.
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, SimulatedClock, type EventObject } from 'xstate';
import { createContractValidator, type ArtifactName } from '../../contracts/index.ts';
import {
  invocationMachine,
  type AttemptOutcome,
  type AttemptRequest,
  type InvocationEmitted,
  type InvocationInput,
} from '../../machines/index.ts';
import type { AttemptResult } from '../../machines/internal.ts';

const validator = createContractValidator();

const base: InvocationInput = {
  identity: {
    session_id: 'sess-1',
    turn_id: 'turn-1',
    pipeline_version: 'pipeline-v1',
    authority_epoch: 4,
  },
  event_id: 'evt-42',
  modality: 'llm',
  preferred_provider_id: 'llm-gemini',
  provider_ids: ['llm-anthropic', 'llm-gemini', 'llm-cohere'],
  allowed_adaptive_actions: ['retry', 'provider_switch', 'fallback'],
  attempt_timeout_ms: 800,
};

const ok: AttemptOutcome = { class: 'success', retryable: false };
const overload429: AttemptOutcome = {
  class: 'overload',
  retryable: true,
  reason: 'provider_overload',
  circuit_open: true,
  backoff_ms: 1000,
};
const server503: AttemptOutcome = {
  class: 'infrastructure_failure',
  retryable: true,
  reason: 'provider_server_error',
  circuit_open: true,
};
const transport: AttemptOutcome = {
  class: 'infrastructure_failure',
  retryable: true,
  reason: 'provider_transport_error',
};
const forbidden: AttemptOutcome = {
  class: 'blocked',
  retryable: false,
  reason: 'provider_auth_or_policy_block',
};

/** Starts the machine with a real attempt actor that records requests and its AbortSignal. */
function harness(overrides: Partial<InvocationInput> = {}) {
  const clock = new SimulatedClock();
  const requests: AttemptRequest[] = [];
  const signals: AbortSignal[] = [];
  let reply: (event: AttemptResult) => void = () => undefined;
  const attempt = fromCallback<EventObject, AttemptRequest>(({ input, sendBack }) => {
    const controller = new AbortController();
    requests.push(input);
    signals.push(controller.signal);
    reply = sendBack;
    return () => controller.abort();
  });
  const actor = createActor(invocationMachine.provide({ actors: { attempt } }), {
    clock,
    input: { ...base, ...overrides },
  });
  const out: InvocationEmitted[] = [];
  actor.on('*', (event) => out.push(event));
  actor.start();
  const respond = (at_ms: number, outcome: AttemptOutcome) =>
    reply({ type: 'attempt.result', at_ms, outcome });
  return { actor, clock, out, requests, signals, respond };
}

function brief(event: InvocationEmitted): string {
  switch (event.type) {
    case 'invocation.attempt': {
      const r = event.record;
      return `attempt ${r.provider_id}#${r.attempt} ${r.outcome_class} ${r.retry_decision} ${r.attempt_latency_ms}ms`;
    }
    case 'control.signal':
      return `${event.signal.event_id} (${event.signal.reason ?? ''})`;
    case 'invocation.outcome': {
      const { result } = event;
      return `outcome ${result.status} ${result.outcome_class} ${result.reason ?? '-'} x${result.attempt_count}`;
    }
  }
}

/** Every emitted artifact must satisfy its contract schema (and semantic rules). */
function expectContractValid(out: readonly InvocationEmitted[]) {
  const check = (name: ArtifactName, doc: unknown) =>
    expect(validator.validate(name, doc), `${name} ${JSON.stringify(doc)}`).toEqual({
      valid: true,
    });
  for (const event of out) {
    if (event.type === 'control.signal') check('control_signal', event.signal);
    if (event.type === 'invocation.attempt') check('invocation_attempt', event.record);
    if (event.type === 'invocation.outcome' && event.result.outcome !== null)
      check('invocation_outcome', event.result.outcome);
  }
  const sequences = out.flatMap((e) =>
    e.type === 'control.signal'
      ? [e.signal.runtime_sequence ?? -1]
      : e.type === 'invocation.attempt'
        ? [e.record.runtime_sequence]
        : [],
  );
  expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
}

describe('invocation (RK-11)', () => {
  it('succeeds on the first attempt', () => {
    const { actor, out, signals, respond } = harness();
    actor.send({ type: 'invocation.start', at_ms: 1000, wall_ms: 5000 });
    respond(1250, ok);
    expect(out.map(brief)).toEqual([
      'attempt llm-gemini#1 success none 250ms',
      'outcome succeeded success - x1',
    ]);
    expect(actor.getSnapshot().output).toEqual({
      status: 'succeeded',
      provider_invocation_id: 'pvi/sess-1/turn-1/evt-42/llm',
      provider_id: 'llm-gemini',
      outcome_class: 'success',
      reason: null,
      attempt_count: 1,
      outcome: {
        provider_invocation_id: 'pvi/sess-1/turn-1/evt-42/llm',
        modality: 'llm',
        provider_id: 'llm-gemini',
        outcome_class: 'success',
        retryable: false,
        retry_decision: 'none',
        attempt_count: 1,
        final_attempt_latency_ms: 250,
        total_invocation_latency_ms: 250,
      },
      delivered: false,
      at_ms: 1250,
      wall_ms: 5250,
    });
    expect(out.at(-1)).toMatchObject({ at_ms: 1250, wall_ms: 5250 });
    expect(signals.map((s) => s.aborted)).toEqual([true]);
    expectContractValid(out);
  });

  it('retries a 429 after its backoff delay, then succeeds', () => {
    const { actor, clock, out, requests, respond } = harness();
    actor.send({ type: 'invocation.start', at_ms: 0 });
    respond(120, overload429);
    expect(actor.getSnapshot().value).toBe('backingOff');
    clock.increment(999);
    expect(requests).toHaveLength(1);
    clock.increment(1);
    expect(requests.map((r) => [r.provider_id, r.attempt, r.runtime_timestamp_ms])).toEqual([
      ['llm-gemini', 1, 0],
      ['llm-gemini', 2, 1120],
    ]);
    expect(requests[1]?.retry_budget_remaining).toBe(0);
    respond(1300, ok);
    expect(out.map(brief)).toEqual([
      'attempt llm-gemini#1 overload retry 120ms',
      'evt-42-provider_error-1 (provider=llm-gemini class=overload reason=provider_overload)',
      'evt-42-circuit_event-1 (provider=llm-gemini class=overload)',
      'attempt llm-gemini#2 success none 180ms',
      'outcome succeeded success - x2',
    ]);
    expect(actor.getSnapshot().output?.outcome).toMatchObject({
      final_attempt_latency_ms: 180,
      total_invocation_latency_ms: 1300,
    });
    expectContractValid(out);
  });

  it('times out attempts with the statechart delay and gives up with the last outcome', () => {
    const { actor, clock, out, signals } = harness({
      provider_ids: ['llm-gemini'],
      allowed_adaptive_actions: ['retry'],
    });
    actor.send({ type: 'invocation.start', at_ms: 0 });
    clock.increment(799);
    expect(actor.getSnapshot().value).toBe('attempting');
    clock.increment(1);
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
    clock.increment(800);
    expect(out.map(brief)).toEqual([
      'attempt llm-gemini#1 timeout retry 800ms',
      'evt-42-provider_error-1 (provider=llm-gemini class=timeout reason=provider_timeout)',
      'attempt llm-gemini#2 timeout none 800ms',
      'evt-42-provider_error-2 (provider=llm-gemini class=timeout reason=provider_timeout)',
      'outcome exhausted timeout provider_timeout x2',
    ]);
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
    expect(actor.getSnapshot().output?.outcome).toEqual({
      provider_invocation_id: 'pvi/sess-1/turn-1/evt-42/llm',
      modality: 'llm',
      provider_id: 'llm-gemini',
      outcome_class: 'timeout',
      retryable: true,
      retry_decision: 'none',
      attempt_count: 2,
      final_attempt_latency_ms: 800,
      total_invocation_latency_ms: 1600,
    });
    expectContractValid(out);
  });

  it('switches provider after retries are exhausted, then succeeds', () => {
    const { actor, out, requests, respond } = harness();
    actor.send({ type: 'invocation.start', at_ms: 10, wall_ms: 10_010 });
    respond(60, transport);
    respond(160, server503);
    respond(400, ok);
    expect(out.map(brief)).toEqual([
      'attempt llm-gemini#1 infrastructure_failure retry 50ms',
      'evt-42-provider_error-1 (provider=llm-gemini class=infrastructure_failure reason=provider_transport_error)',
      'attempt llm-gemini#2 infrastructure_failure provider_switch 100ms',
      'evt-42-provider_error-2 (provider=llm-gemini class=infrastructure_failure reason=provider_server_error)',
      'evt-42-circuit_event-2 (provider=llm-gemini class=infrastructure_failure)',
      'evt-42-provider_switch-2 (from=llm-gemini to=llm-anthropic)',
      'attempt llm-anthropic#1 success none 240ms',
      'outcome succeeded success - x3',
    ]);
    // Per-attempt evidence: identity, sequences, start timestamps and at_ms latencies.
    expect(out.filter((e) => e.type === 'invocation.attempt').map((e) => e.record)).toEqual([
      {
        session_id: 'sess-1',
        turn_id: 'turn-1',
        pipeline_version: 'pipeline-v1',
        event_id: 'evt-42',
        provider_invocation_id: 'pvi/sess-1/turn-1/evt-42/llm',
        modality: 'llm',
        provider_id: 'llm-gemini',
        attempt: 1,
        outcome_class: 'infrastructure_failure',
        retryable: true,
        retry_decision: 'retry',
        attempt_latency_ms: 50,
        transport_sequence: 1,
        runtime_sequence: 1,
        authority_epoch: 4,
        runtime_timestamp_ms: 10,
        wall_clock_timestamp_ms: 10_010,
      },
      expect.objectContaining({
        attempt: 2,
        retry_decision: 'provider_switch',
        attempt_latency_ms: 100,
        runtime_sequence: 3,
        runtime_timestamp_ms: 60,
        wall_clock_timestamp_ms: 10_060,
      }),
      expect.objectContaining({
        provider_id: 'llm-anthropic',
        attempt: 1,
        attempt_latency_ms: 240,
        runtime_sequence: 7,
        runtime_timestamp_ms: 160,
        wall_clock_timestamp_ms: 10_160,
      }),
    ]);
    expect(requests.map((r) => r.retry_budget_remaining)).toEqual([1, 0, 1]);
    expect(actor.getSnapshot().output?.outcome).toMatchObject({
      provider_id: 'llm-anthropic',
      attempt_count: 3,
      final_attempt_latency_ms: 240,
      total_invocation_latency_ms: 390,
    });
    const switchSignal = out.find(
      (e) => e.type === 'control.signal' && e.signal.signal === 'provider_switch',
    );
    expect(switchSignal).toEqual({
      type: 'control.signal',
      signal: {
        schema_version: 'v1.0',
        event_scope: 'turn',
        session_id: 'sess-1',
        turn_id: 'turn-1',
        pipeline_version: 'pipeline-v1',
        event_id: 'evt-42-provider_switch-2',
        lane: 'ControlLane',
        transport_sequence: 6,
        runtime_sequence: 6,
        runtime_timestamp_ms: 160,
        wall_clock_timestamp_ms: 10_160,
        payload_class: 'metadata',
        authority_epoch: 4,
        signal: 'provider_switch',
        emitted_by: 'RK-11',
        reason: 'from=llm-gemini to=llm-anthropic',
        scope: 'provider_invocation',
        provider_invocation_id: 'pvi/sess-1/turn-1/evt-42/llm',
      },
    });
    expectContractValid(out);
  });

  it('gives up with the last outcome when switching is not allowed', () => {
    const { actor, out, requests, respond } = harness({ allowed_adaptive_actions: ['retry'] });
    actor.send({ type: 'invocation.start', at_ms: 0 });
    respond(30, forbidden);
    expect(out.map(brief)).toEqual([
      'attempt llm-gemini#1 blocked none 30ms',
      'evt-42-provider_error-1 (provider=llm-gemini class=blocked reason=provider_auth_or_policy_block)',
      'outcome exhausted blocked provider_auth_or_policy_block x1',
    ]);
    expect(requests).toHaveLength(1);
    expectContractValid(out);
  });

  it('records retry_decision fallback when only fallback is allowed', () => {
    const { actor, out, respond } = harness({ allowed_adaptive_actions: ['fallback'] });
    actor.send({ type: 'invocation.start', at_ms: 0 });
    respond(40, overload429);
    respond(90, ok);
    expect(out.map(brief)).toEqual([
      'attempt llm-gemini#1 overload fallback 40ms',
      'evt-42-provider_error-1 (provider=llm-gemini class=overload reason=provider_overload)',
      'evt-42-circuit_event-1 (provider=llm-gemini class=overload)',
      'evt-42-provider_switch-1 (from=llm-gemini to=llm-anthropic)',
      'attempt llm-anthropic#1 success none 50ms',
      'outcome succeeded success - x2',
    ]);
    expectContractValid(out);
  });

  it('cancels before the first attempt without invoking any provider', () => {
    const { actor, out, requests } = harness();
    actor.send({ type: 'invocation.cancel', at_ms: 5 });
    expect(requests).toEqual([]);
    expect(out.map(brief)).toEqual([
      'outcome cancelled cancelled cancel_requested_before_invoke x0',
    ]);
    expect(actor.getSnapshot().output).toMatchObject({ attempt_count: 0, outcome: null });
  });

  it('aborts the running attempt on cancel and never retries', () => {
    const { actor, clock, out, signals, requests } = harness();
    actor.send({ type: 'invocation.start', at_ms: 0 });
    expect(signals[0]?.aborted).toBe(false);
    actor.send({ type: 'invocation.cancel', at_ms: 70 });
    expect(signals[0]?.aborted).toBe(true);
    clock.increment(10_000);
    expect(requests).toHaveLength(1);
    expect(out.map(brief)).toEqual([
      'attempt llm-gemini#1 cancelled none 70ms',
      'outcome cancelled cancelled provider_cancelled x1',
    ]);
    expectContractValid(out);
  });

  it('cancels during a backoff without starting the retry', () => {
    const { actor, clock, out, requests, respond } = harness();
    actor.send({ type: 'invocation.start', at_ms: 0 });
    respond(100, overload429);
    actor.send({ type: 'invocation.cancel', at_ms: 400 });
    clock.increment(5000);
    expect(requests).toHaveLength(1);
    expect(out.map(brief).at(-1)).toBe('outcome cancelled cancelled provider_cancelled x1');
    expect(actor.getSnapshot().output?.outcome).toMatchObject({
      outcome_class: 'cancelled',
      final_attempt_latency_ms: 100,
      total_invocation_latency_ms: 400,
    });
    expectContractValid(out);
  });

  it('blocks without attempts when the preferred provider is not in the catalogue', () => {
    const { actor, out, requests } = harness({ preferred_provider_id: 'llm-unknown' });
    actor.send({ type: 'invocation.start', at_ms: 0 });
    expect(requests).toEqual([]);
    expect(out.map(brief)).toEqual([
      'outcome blocked blocked preferred_provider_not_in_catalogue x0',
    ]);
  });

  it('tries candidates preferred first, then by provider_id ascending', () => {
    const { actor, out, requests, respond } = harness({
      modality: 'tts',
      preferred_provider_id: 'tts-google',
      provider_ids: ['tts-google', 'tts-elevenlabs', 'tts-amazon-polly'],
    });
    actor.send({ type: 'invocation.start', at_ms: 0 });
    for (let i = 1; i <= 3; i += 1) respond(i * 10, forbidden);
    expect(requests.map((r) => r.provider_id)).toEqual([
      'tts-google',
      'tts-amazon-polly',
      'tts-elevenlabs',
    ]);
    expect(out.map(brief).at(-1)).toBe(
      'outcome exhausted blocked provider_auth_or_policy_block x3',
    );
    expectContractValid(out);
  });

  it('never tries more than 5 candidates', () => {
    const ids = ['p-7', 'p-6', 'p-5', 'p-4', 'p-3', 'p-2', 'p-1'];
    const { actor, requests, respond } = harness({
      preferred_provider_id: 'p-4',
      provider_ids: ids,
    });
    actor.send({ type: 'invocation.start', at_ms: 0 });
    for (let i = 1; i <= 7; i += 1) respond(i, forbidden);
    expect(requests.map((r) => r.provider_id)).toEqual(['p-4', 'p-1', 'p-2', 'p-3', 'p-5']);
    expect(requests.map((r) => r.candidate_provider_count)).toEqual([5, 5, 5, 5, 5]);
    expect(actor.getSnapshot().output?.attempt_count).toBe(5);
  });

  it('names signal event ids <event_id>-<signal>-<attempt index>, session-scoped without a turn', () => {
    const { actor, out, respond } = harness({
      identity: { session_id: 'sess-1', pipeline_version: 'pipeline-v1', authority_epoch: 4 },
    });
    actor.send({ type: 'invocation.start', at_ms: 0 });
    respond(10, server503);
    respond(20, server503);
    respond(30, ok);
    const ids = out.flatMap((e) => (e.type === 'control.signal' ? [e.signal.event_id] : []));
    expect(ids).toEqual([
      'evt-42-provider_error-1',
      'evt-42-circuit_event-1',
      'evt-42-provider_error-2',
      'evt-42-circuit_event-2',
      'evt-42-provider_switch-2',
    ]);
    for (const e of out)
      if (e.type === 'control.signal') expect(e.signal.event_scope).toBe('session');
    expect(out.find((e) => e.type === 'invocation.attempt')).toMatchObject({
      record: { turn_id: '', provider_invocation_id: 'pvi/sess-1/sess-1/evt-42/llm' },
    });
    expectContractValid(out);
  });
});
