// F2 / RK-08 + RK-17: node budget, error, cancel and provider-outcome scenarios with exact
// ordered outputs under a SimulatedClock; every control signal is schema-checked.
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { createContractValidator } from '../../contracts/index.ts';
import {
  invocationMachine,
  nodeMachine,
  type InvocationInput,
  type NodeEmitted,
  type NodeInput,
} from '../../machines/index.ts';
import type { InvocationOutcomeEmitted } from '../../machines/internal.ts';

const validator = createContractValidator();

const identity = {
  session_id: 'sess-1',
  turn_id: 'turn-1',
  pipeline_version: 'pipeline-v1',
  authority_epoch: 2,
};

const invocation = (event_id: string): InvocationInput => ({
  identity,
  event_id,
  modality: 'llm',
  preferred_provider_id: 'llm-anthropic',
  provider_ids: ['llm-anthropic'],
  allowed_adaptive_actions: ['retry', 'provider_switch'],
  max_attempts_per_provider: 1,
  attempt_timeout_ms: 400,
});

/** A pre-resolved fallback branch (RK-07): without one, `fallback` is not a legal decision. */
const FALLBACK = { fallback: invocation('llm-fallback') };

function start(input: Partial<NodeInput> = {}) {
  const clock = new SimulatedClock();
  const actor = createActor(nodeMachine, {
    clock,
    input: {
      identity,
      node_id: 'llm-node',
      allowed_adaptive_actions: [],
      invocation: invocation('llm-node'),
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
      return `abort(${event.reason}) ${event.failure}/${event.cause}@${event.at_ms}`;
    case 'invocation.attempt':
      return `attempt:${event.record.outcome_class}`;
  }
}

/** Every signal is a contract-valid RK-17 node-scoped signal; ordinals increase. */
function expectContractValid(out: readonly NodeEmitted[]) {
  const signals = out.flatMap((e) => (e.type === 'control.signal' ? [e.signal] : []));
  for (const signal of signals) {
    expect(validator.validate('control_signal', signal)).toEqual({ valid: true });
    expect(signal).toMatchObject({ emitted_by: 'RK-17', scope: 'node', node_id: 'llm-node' });
  }
  expect(signals.map((s) => s.runtime_sequence)).toEqual(signals.map((_, i) => i + 1));
}

const EXHAUST_PREFIX = [
  'budget_warning(node_budget_threshold_exceeded)@1200',
  'decision:continue_with_warning/budget_warning@1200',
  'budget_exhausted(node_timeout_or_failure)@1500',
  'hook:on_budget_exhausted@1500',
];

const outcome = (
  outcome_class: 'success' | 'cancelled' | 'timeout',
  at_ms: number,
): InvocationOutcomeEmitted => ({
  type: 'invocation.outcome',
  at_ms,
  wall_ms: at_ms,
  result: {
    status:
      outcome_class === 'success'
        ? 'succeeded'
        : outcome_class === 'cancelled'
          ? 'cancelled'
          : 'exhausted',
    provider_invocation_id: 'pvi/sess-1/turn-1/evt-1/llm',
    provider_id: 'llm-anthropic',
    outcome_class,
    reason: outcome_class === 'success' ? null : `provider_${outcome_class}`,
    attempt_count: 1,
    outcome: null,
    delivered: false,
  },
});

describe('node budget (RK-17) and host (RK-08)', () => {
  it('warns at 1200 ms, continues, and completes', () => {
    const { actor, clock, out } = start();
    clock.increment(1199);
    expect(out).toEqual([]);
    clock.increment(1);
    expect(out).toEqual([
      {
        type: 'control.signal',
        signal: {
          schema_version: 'v1.0',
          event_scope: 'turn',
          session_id: 'sess-1',
          turn_id: 'turn-1',
          pipeline_version: 'pipeline-v1',
          event_id: 'evt/sess-1/turn-1/000001',
          lane: 'ControlLane',
          transport_sequence: 1,
          runtime_sequence: 1,
          runtime_timestamp_ms: 1200,
          wall_clock_timestamp_ms: 1200,
          payload_class: 'metadata',
          authority_epoch: 2,
          signal: 'budget_warning',
          emitted_by: 'RK-17',
          reason: 'node_budget_threshold_exceeded',
          scope: 'node',
          node_id: 'llm-node',
        },
      },
      {
        type: 'node.decision',
        node_id: 'llm-node',
        budget: { warn_ms: 1200, exhaust_ms: 1500 },
        decision: {
          kind: 'continue_with_warning',
          reason: 'node_budget_threshold_exceeded',
          cause: 'budget_warning',
          at_ms: 1200,
          elapsed_ms: 1200,
        },
      },
    ]);
    expect(actor.getSnapshot().value).toEqual({
      active: { primary: { running: { warning: 'over_warning', exhaustion: 'counting' } } },
    });
    // The first output meets the budget: no exhaustion follows.
    actor.send({ type: 'node.chunk.produced', at_ms: 1250 });
    expect(actor.getSnapshot().value).toEqual({ active: { primary: 'streaming' } });
    clock.increment(1000);
    actor.send({ type: 'node.completed', at_ms: 2300 });
    expect(out).toHaveLength(2);
    expect(actor.getSnapshot().output).toMatchObject({ status: 'done', abort_reason: null });
    expectContractValid(out);
  });

  it('degrades at exhaustion when degrade is allowed', () => {
    const { actor, clock, out } = start({ allowed_adaptive_actions: ['degrade', 'fallback'] });
    clock.increment(1500);
    expect(out.map(brief)).toEqual([
      ...EXHAUST_PREFIX,
      'degrade(node_timeout_or_failure)@1500',
      'decision:degrade/budget_exhausted@1500',
    ]);
    // Degraded: the budget is lifted and the invocation goes on.
    expect(actor.getSnapshot().value).toEqual({ active: { primary: 'degraded' } });
    actor.send({ type: 'node.completed', at_ms: 1700 });
    expect(actor.getSnapshot().output).toMatchObject({ status: 'done', mode: 'degraded' });
    expectContractValid(out);
  });

  it('falls back at exhaustion when only fallback is allowed and the node has a branch', () => {
    const { actor, clock, out } = start({
      allowed_adaptive_actions: ['retry', 'fallback'],
      ...FALLBACK,
    });
    clock.increment(1500);
    expect(out.map(brief)).toEqual([
      ...EXHAUST_PREFIX,
      'fallback(node_timeout_or_failure)@1500',
      'decision:fallback/budget_exhausted@1500',
    ]);
    expect(actor.getSnapshot().value).toEqual({
      active: { fallback: { running: { warning: 'within_budget', exhaustion: 'counting' } } },
    });
    expectContractValid(out);
  });

  it('terminates with abort(node_timeout_or_failure) when neither is allowed', () => {
    const { actor, clock, out } = start({ allowed_adaptive_actions: ['retry', 'provider_switch'] });
    clock.increment(1500);
    expect(out.map(brief)).toEqual([
      ...EXHAUST_PREFIX,
      'decision:terminate/budget_exhausted@1500',
      'abort(node_timeout_or_failure) node/budget_exhausted@1500',
    ]);
    expect(out.at(-1)).toEqual({
      type: 'node.abort.requested',
      node_id: 'llm-node',
      reason: 'node_timeout_or_failure',
      failure: 'node',
      cause: 'budget_exhausted',
      detail: 'no output within the node budget of 1500 ms',
      at_ms: 1500,
      wall_ms: 1500,
    });
    expect(actor.getSnapshot().value).toBe('failed');
    expect(actor.getSnapshot().output).toMatchObject({
      status: 'failed',
      abort_reason: 'node_timeout_or_failure',
    });
    expectContractValid(out);
  });

  it('warns and exhausts at the same instant when warn equals exhaust', () => {
    const { clock, out } = start({ budget: { warn_ms: 800, exhaust_ms: 800 } });
    clock.increment(800);
    expect(out.map(brief)).toEqual([
      'budget_warning(node_budget_threshold_exceeded)@800',
      'decision:continue_with_warning/budget_warning@800',
      'budget_exhausted(node_timeout_or_failure)@800',
      'hook:on_budget_exhausted@800',
      'decision:terminate/budget_exhausted@800',
      'abort(node_timeout_or_failure) node/budget_exhausted@800',
    ]);
    expectContractValid(out);
  });

  describe('node errors', () => {
    it('continues after a recoverable error', () => {
      const { actor, out } = start({ allowed_adaptive_actions: ['degrade'] });
      actor.send({ type: 'node.error.raised', at_ms: 300, kind: 'error', recoverable: true });
      expect(out).toEqual([]);
      expect(actor.getSnapshot().value).toEqual({
        active: { primary: { running: { warning: 'within_budget', exhaustion: 'counting' } } },
      });
    });

    it('degrades on an error without budget signals', () => {
      const { actor, clock, out } = start({ allowed_adaptive_actions: ['degrade'] });
      actor.send({ type: 'node.error.raised', at_ms: 300, kind: 'error', code: 'E_PARSE' });
      clock.increment(5000);
      expect(out.map(brief)).toEqual([
        'degrade(node_timeout_or_failure)@300',
        'decision:degrade/node_error@300',
      ]);
      expectContractValid(out);
    });

    it('falls back on a crash when only fallback is allowed', () => {
      const { actor, out } = start({ allowed_adaptive_actions: ['fallback'], ...FALLBACK });
      actor.send({ type: 'node.error.raised', at_ms: 300, kind: 'crash', recoverable: true });
      expect(out.map(brief)).toEqual([
        'fallback(node_timeout_or_failure)@300',
        'decision:fallback/node_crash@300',
      ]);
      expectContractValid(out);
    });

    it('terminates on a crash when neither is allowed, after the warning', () => {
      const { actor, clock, out } = start();
      clock.increment(1300);
      actor.send({ type: 'node.error.raised', at_ms: 1400, kind: 'crash' });
      expect(out.map(brief)).toEqual([
        'budget_warning(node_budget_threshold_exceeded)@1200',
        'decision:continue_with_warning/budget_warning@1200',
        'decision:terminate/node_crash@1400',
        'abort(node_timeout_or_failure) node/node_crash@1400',
      ]);
      clock.increment(1000);
      expect(out).toHaveLength(4);
      expectContractValid(out);
    });
  });

  describe('cancel and barge-in', () => {
    it('runs on_cancel and stops its budget timers', () => {
      const { actor, clock, out } = start();
      actor.send({ type: 'node.cancel', at_ms: 200 });
      clock.increment(5000);
      expect(out).toEqual([
        { type: 'node.hook', node_id: 'llm-node', hook: 'on_cancel', at_ms: 200, wall_ms: 200 },
      ]);
      expect(actor.getSnapshot().output).toMatchObject({ status: 'cancelled', abort_reason: null });
    });

    it('runs on_barge_in, also from a degraded node', () => {
      const { actor, clock, out } = start({ allowed_adaptive_actions: ['degrade'] });
      clock.increment(1500);
      actor.send({ type: 'node.barge_in', at_ms: 1600, wall_ms: 9_001_600 });
      expect(out.map(brief).slice(-1)).toEqual(['hook:on_barge_in@1600']);
      expect(out.at(-1)).toMatchObject({ wall_ms: 9_001_600 });
      expect(actor.getSnapshot().value).toBe('cancelled');
    });
  });

  describe('budget config', () => {
    it('fails at start when warn > exhaust, with a clear reason and no timers', () => {
      const { actor, clock, out } = start({
        budget: { warn_ms: 1600, exhaust_ms: 1500 },
        allowed_adaptive_actions: ['degrade', 'fallback'],
      });
      clock.increment(10_000);
      expect(actor.getSnapshot().value).toBe('failed');
      expect(out.map(brief)).toEqual([
        'decision:terminate/config_error@0',
        'abort(node_timeout_or_failure) node/config_error@0',
      ]);
      expect(actor.getSnapshot().output).toEqual({
        node_id: 'llm-node',
        status: 'failed',
        mode: 'normal',
        decision: {
          kind: 'terminate',
          reason: 'node_timeout_or_failure',
          cause: 'config_error',
          at_ms: 0,
          elapsed_ms: 0,
        },
        abort_reason: 'node_timeout_or_failure',
        failure: 'node',
        config_error: 'node budget: warn_ms (1600) must be <= exhaust_ms (1500)',
      });
    });
  });

  describe('provider outcomes', () => {
    it('completes on success and does not treat cancelled as a failure', () => {
      const cancelled = start();
      cancelled.actor.send(outcome('cancelled', 200));
      expect(cancelled.out).toEqual([]);
      expect(cancelled.actor.getSnapshot().value).toEqual({
        active: { primary: { running: { warning: 'within_budget', exhaustion: 'counting' } } },
      });
      const succeeded = start();
      succeeded.actor.send(outcome('success', 100));
      expect(succeeded.out).toEqual([]);
      expect(succeeded.actor.getSnapshot().output).toMatchObject({ status: 'done' });
    });

    it('falls back on a provider failure with reason provider_failure', () => {
      const { actor, out } = start({ allowed_adaptive_actions: ['fallback'], ...FALLBACK });
      actor.send(outcome('timeout', 300));
      expect(out.map(brief)).toEqual([
        'fallback(provider_failure)@300',
        'decision:fallback/provider_failure@300',
      ]);
      expectContractValid(out);
    });

    it('asks for abort(provider_failure) when its invocation child gives up', () => {
      // The node runs the real RK-11 machine as its child; its attempt never answers.
      const clock = new SimulatedClock();
      const actor = createActor(
        nodeMachine.provide({ actors: { invocation: invocationMachine } }),
        {
          clock,
          input: {
            identity,
            node_id: 'llm-node',
            allowed_adaptive_actions: ['retry', 'provider_switch'],
            invocation: invocation('evt-1'),
            started_at_ms: 100,
          },
        },
      );
      const out: NodeEmitted[] = [];
      actor.on('*', (event) => out.push(event));
      actor.start();
      clock.increment(400);
      expect(out.map(brief)).toEqual([
        'attempt:timeout',
        'provider_error(provider=llm-anthropic class=timeout reason=provider_timeout)@500',
        'decision:terminate/provider_failure@500',
        'abort(provider_failure) provider/provider_failure@500',
      ]);
      expect(out.at(-1)).toMatchObject({
        detail: 'provider invocation pvi/sess-1/turn-1/evt-1/llm ended timeout (provider_timeout)',
      });
      expect(actor.getSnapshot().output).toMatchObject({ abort_reason: 'provider_failure' });
    });
  });
});
