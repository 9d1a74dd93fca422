// The provider port as the RK-11 invocation machine's `attempt` actor: the machine's per-attempt
// request becomes a ProviderRequest, invokeProvider's outcome is sent back as `attempt.result`
// unchanged, and the machine's cleanup (timeout, cancel) aborts the sim at once.
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, SimulatedClock, type EventObject } from 'xstate';
import { invokeProvider, type LlmInput, type LlmPort } from '../../../contracts/index.ts';
import type { ProviderAttemptFields } from '../../../contracts/internal.ts';
import {
  invocationMachine,
  type AttemptOutcome,
  type AttemptRequest,
  type InvocationEmitted,
  type InvocationInput,
} from '../../../machines/index.ts';
import {
  createManualScheduler,
  createSimLlm,
  type SimFaultPlan,
} from '../../../adapters/providers/sim/index.ts';
import { fromArray } from './fixtures.ts';

const input: InvocationInput = {
  identity: {
    session_id: 'sess-1',
    turn_id: 'turn-1',
    pipeline_version: 'pipeline-v1',
    authority_epoch: 2,
  },
  event_id: 'evt-9',
  modality: 'llm',
  preferred_provider_id: 'llm-sim',
  provider_ids: ['llm-sim'],
  allowed_adaptive_actions: ['retry'],
  attempt_timeout_ms: 800,
};
const context: LlmInput[] = [{ type: 'message', role: 'user', text: 'hi' }];

/** The machine's request as port request fields: only the modality narrows. */
function fieldsOf(request: AttemptRequest): ProviderAttemptFields<'llm'> {
  return { ...request, modality: 'llm' };
}

/** Runs the machine with an attempt actor backed by an LLM sim; both clocks move together. */
function harness(fault: SimFaultPlan | undefined) {
  const scheduler = createManualScheduler();
  const clock = new SimulatedClock();
  const port: LlmPort = createSimLlm({
    seed: 1,
    scheduler,
    first_chunk_ms: 100,
    chunk_interval_ms: 10,
    chunk_count: 3,
    ...(fault === undefined ? {} : { fault }),
  });
  let afterAbort = 0;
  const attempt = fromCallback<EventObject, AttemptRequest>(({ input: request, sendBack }) => {
    const controller = new AbortController();
    const { signal } = controller;
    const onChunk = () => void (signal.aborted ? (afterAbort += 1) : undefined);
    void invokeProvider(
      port,
      { ...fieldsOf(request), input: fromArray(context), signal },
      onChunk,
    ).then(({ outcome }) => {
      const sent: AttemptOutcome = outcome;
      if (!signal.aborted) {
        sendBack({
          type: 'attempt.result',
          at_ms: scheduler.now(),
          outcome: sent,
          provider_id: request.provider_id,
          attempt: request.attempt,
        });
      }
    });
    return () => controller.abort();
  });
  const actor = createActor(invocationMachine.provide({ actors: { attempt } }), { clock, input });
  const out: InvocationEmitted[] = [];
  actor.on('*', (event) => void out.push(event));
  actor.start();
  /** Moves both clocks by `ms` (the machine's first, so its timers fire before sim chunks). */
  const advance = async (ms: number) => {
    clock.increment(ms);
    await scheduler.advance(ms);
  };
  const attempts = () =>
    out.flatMap((e) =>
      e.type === 'invocation.attempt'
        ? [`${e.record.attempt} ${e.record.outcome_class} ${e.record.retry_decision}`]
        : [],
    );
  return { actor, advance, attempts, scheduler, afterAbort: () => afterAbort };
}

describe('provider port with the invocation machine', () => {
  it('retries a sim 429 after its Retry-After backoff and then succeeds', async () => {
    const h = harness(({ attempt }) =>
      attempt === 1 ? { kind: 'rate_limit', retry_after_s: 1 } : undefined,
    );
    h.actor.send({ type: 'invocation.start', at_ms: 0 });
    await h.advance(100);
    expect(h.actor.getSnapshot().value).toBe('backingOff');
    await h.advance(1000);
    await h.advance(120);
    expect(h.actor.getSnapshot().value).toBe('succeeded');
    expect(h.attempts()).toEqual(['1 overload retry', '2 success none']);
  });

  it('times out a sim that never answers and releases it through the abort', async () => {
    const h = harness({ kind: 'timeout' });
    h.actor.send({ type: 'invocation.start', at_ms: 0 });
    await h.advance(800);
    expect(h.scheduler.pending()).toBe(1);
    await h.advance(800);
    expect(h.actor.getSnapshot().value).toBe('exhausted');
    expect(h.attempts()).toEqual(['1 timeout retry', '2 timeout none']);
    expect(h.scheduler.pending()).toBe(0);
  });

  it('cancels mid-stream: the sim stops and no chunk arrives after the cancel', async () => {
    const h = harness(undefined);
    h.actor.send({ type: 'invocation.start', at_ms: 0 });
    await h.advance(105);
    h.actor.send({ type: 'invocation.cancel', at_ms: 105 });
    await h.advance(1000);
    expect(h.actor.getSnapshot().value).toBe('cancelled');
    expect(h.afterAbort()).toBe(0);
    expect(h.scheduler.pending()).toBe(0);
  });
});
