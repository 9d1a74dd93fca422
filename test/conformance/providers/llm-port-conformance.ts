/**
 * The LLM port conformance suite for adapters of cloud APIs: each case starts a loopback fake
 * that speaks the provider's documented protocol, drives the adapter through `invokeProvider` or
 * its raw stream, and checks both what the runtime sees (chunks, normalized outcome) and what
 * the provider saw (route, key, model, history, the connection closing on abort). The adapter's
 * deadline waits on a manual clock; nothing here sleeps or reads the wall clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AdapterError,
  invokeProvider,
  type LlmChunk,
  type LlmInput,
  type LlmPort,
} from '../../../contracts/index.ts';
import type { ProviderScheduler } from '../../../contracts/internal.ts';
import type { ProviderEnv } from '../../../adapters/providers/kit/index.ts';
import {
  createManualScheduler,
  type ManualScheduler,
} from '../../../adapters/providers/sim/index.ts';
import {
  FAKE_KEY,
  FAKE_MODEL,
  startLlmFake,
  type LlmFake,
  type LlmWireProtocol,
} from '../../harness/provider-fakes/llm-fake.ts';
import {
  attemptFields,
  fromArray,
  nextTick,
  requestOf,
  failed,
  HTTP_OUTCOME_ROWS,
} from './fixtures.ts';

/** One cloud LLM adapter under test. */
export interface LlmPortTarget {
  /** Shown in the describe block. */
  readonly name: string;
  /** The provider id it declares by default. */
  readonly provider_id: string;
  /** The protocol its fake speaks. */
  readonly protocol: LlmWireProtocol;
  /** Builds the adapter from an environment record (as the composition root would). */
  create(env: ProviderEnv, scheduler: ProviderScheduler): LlmPort;
  /** The idle deadline the environment configures (the adapter's default). */
  readonly timeout_ms: number;
}

/** The turn context every case sends: a system prompt and both roles, one reply cut off. */
export const CONFORMANCE_CONTEXT: readonly LlmInput[] = [
  { type: 'message', role: 'system', text: 'You are a terse voice agent.' },
  { type: 'message', role: 'user', text: 'What is the capital of France?' },
  { type: 'message', role: 'assistant', text: 'Paris.' },
  { type: 'message', role: 'user', text: 'And of Spain?' },
  { type: 'message', role: 'assistant', text: 'Madrid is', interrupted: true },
  { type: 'message', role: 'user', text: 'Sorry, go on.' },
];

const REPLY = ['Madrid', ' is the capital', ' of Spain. ', 'x'.repeat(150)];

/** Defines the suite for one adapter. */
export function defineLlmPortConformance(target: LlmPortTarget): void {
  const { protocol } = target;

  describe(`llm port conformance: ${target.name} against its loopback fake`, () => {
    let fake: LlmFake;
    let scheduler: ManualScheduler;
    beforeEach(async () => {
      fake = await startLlmFake(protocol);
      scheduler = createManualScheduler();
    });
    afterEach(() => fake.dispose());

    const port = (env: ProviderEnv = fake.env()) => target.create(env, scheduler);
    const request = (llm: LlmPort, signal: AbortSignal, overrides = {}) =>
      requestOf(
        attemptFields('llm', llm.capabilities.provider_id, overrides),
        fromArray(CONFORMANCE_CONTEXT),
        signal,
      );
    const invoke = async (llm = port(), controller = new AbortController()) => {
      const collected: LlmChunk[] = [];
      const settled = await invokeProvider(llm, request(llm, controller.signal), (chunk) => {
        collected.push(chunk);
      });
      return { ...settled, collected, text: collected.map((c) => c.text).join('') };
    };

    it('declares an llm provider id, a concurrency limit and a delta size', () => {
      const caps = port().capabilities;
      expect(caps.provider_id).toBe(target.provider_id);
      expect(caps.modality).toBe('llm');
      expect(caps.max_concurrency).toBeGreaterThanOrEqual(1);
      expect(caps.streaming.max_delta_chars).toBeGreaterThan(0);
    });

    it('streams the reply as contract-valid deltas, cutting long pieces to the declared size', async () => {
      fake.replyStream(REPLY);
      const result = await invoke();
      expect(result.outcome.class).toBe('success');
      expect(result.text).toBe(REPLY.join(''));
      const max = port().capabilities.streaming.max_delta_chars;
      expect(result.collected.every((c) => c.text.length > 0 && c.text.length <= max)).toBe(true);
      expect(result.collected.map((c) => c.index)).toEqual(result.collected.map((_, i) => i));
      expect(result.chunks).toBeGreaterThan(REPLY.length);
    });

    it('sends one streaming request with the key, the model, the system prompt and the history', async () => {
      fake.replyStream(['Ok.']);
      await invoke();
      expect(fake.requests).toHaveLength(1);
      const [sent] = fake.requests;
      if (sent === undefined) throw new Error('no request');
      expect(protocol.matches(sent, FAKE_MODEL)).toBe(true);
      expect(protocol.read(sent)).toEqual({
        key: FAKE_KEY,
        model: FAKE_MODEL,
        system: 'You are a terse voice agent.',
        dialogue: [
          { role: 'user', text: 'What is the capital of France?' },
          { role: 'assistant', text: 'Paris.' },
          { role: 'user', text: 'And of Spain?' },
          { role: 'assistant', text: 'Madrid is [interrupted by the user]' },
          { role: 'user', text: 'Sorry, go on.' },
        ],
        streaming: true,
      });
      expect(sent.url).not.toContain(FAKE_KEY);
    });

    it('yields the first delta while the provider is still streaming', async () => {
      fake.replyStream(['First', ' second'], 1);
      const llm = port();
      const stream = llm.stream(request(llm, new AbortController().signal));
      const iterator = stream[Symbol.asyncIterator]();
      expect(await iterator.next()).toEqual({
        done: false,
        value: { type: 'delta', index: 0, text: 'First' },
      });
      fake.release();
      expect((await iterator.next()).value).toEqual({ type: 'delta', index: 1, text: ' second' });
      expect((await iterator.next()).done).toBe(true);
    });

    it('makes no request when cancel_requested is set', async () => {
      const llm = port();
      const signal = new AbortController().signal;
      const settled = await invokeProvider(llm, request(llm, signal, { cancel_requested: true }));
      const raw = llm.stream(request(llm, signal, { cancel_requested: true }));
      expect(await raw[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
      expect(settled.outcome).toMatchObject({ class: 'cancelled', reason: 'provider_cancelled' });
      expect(fake.requests).toHaveLength(0);
    });

    it('ends at an abort mid-stream within the tick, yields nothing after it and closes the connection', async () => {
      fake.replyStream(['First', ' second', ' third'], 1);
      const llm = port();
      const controller = new AbortController();
      const iterator = llm.stream(request(llm, controller.signal))[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
      const pending = iterator.next();
      controller.abort();
      expect(await Promise.race([pending, nextTick()])).toEqual({ done: true, value: undefined });
      await fake.closed(0);
      fake.release();
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
    });

    it('settles an abort after the first delta as cancelled with one chunk', async () => {
      fake.replyStream(['First', ' second'], 1);
      const llm = port();
      const controller = new AbortController();
      let afterAbort = 0;
      const settled = await invokeProvider(llm, request(llm, controller.signal), () => {
        if (controller.signal.aborted) afterAbort += 1;
        else controller.abort();
      });
      expect(settled).toEqual({
        outcome: failed('cancelled', 'provider_cancelled', false),
        chunks: 1,
        error: null,
      });
      expect(afterAbort).toBe(0);
      await fake.closed(0);
    });

    it('closes the connection when aborted while waiting for the response', async () => {
      fake.reply({ kind: 'silence' });
      const llm = port();
      const controller = new AbortController();
      const pending = llm.stream(request(llm, controller.signal))[Symbol.asyncIterator]().next();
      await fake.received(1);
      controller.abort();
      expect(await Promise.race([pending, nextTick()])).toEqual({ done: true, value: undefined });
      await fake.closed(0);
    });

    it('times out on its idle deadline when no response comes, and closes the connection', async () => {
      fake.reply({ kind: 'silence' });
      const settling = invoke();
      await fake.received(1);
      await scheduler.advance(target.timeout_ms - 1);
      expect(fake.requests).toHaveLength(1);
      await scheduler.advance(1);
      const result = await settling;
      expect(result.outcome).toEqual(failed('timeout', 'provider_timeout', true));
      expect([result.error?.code, result.chunks]).toEqual(['timeout', 0]);
      await fake.closed(0);
    });

    it('times out when the stream stalls between events, keeping the deltas delivered', async () => {
      fake.replyStream(['First', ' second'], 1);
      const llm = port();
      const collected: LlmChunk[] = [];
      let first: () => void = () => undefined;
      const arrived = new Promise<void>((resolve) => (first = resolve));
      const settling = invokeProvider(llm, request(llm, new AbortController().signal), (chunk) => {
        collected.push(chunk);
        first();
      });
      await arrived;
      await scheduler.advance(target.timeout_ms);
      const settled = await settling;
      expect(settled.outcome).toEqual(failed('timeout', 'provider_timeout', true));
      expect(collected.map((c) => c.text)).toEqual(['First']);
    });

    it('settles an abort whose reason is a deadline as timeout', async () => {
      fake.reply({ kind: 'silence' });
      const controller = new AbortController();
      const settling = invoke(port(), controller);
      await fake.received(1);
      controller.abort(new DOMException('deadline', 'TimeoutError'));
      const result = await settling;
      expect(result.outcome).toEqual(failed('timeout', 'provider_timeout', true));
      expect(result.error).toBeNull();
    });

    it.each(HTTP_OUTCOME_ROWS)(
      'maps HTTP %i (Retry-After %s) with its documented error body to its outcome row',
      async (status, retryAfter, outcome) => {
        fake.reply({
          kind: 'status',
          status,
          body: protocol.errorBody(status),
          headers: retryAfter === null ? {} : { 'retry-after': retryAfter },
        });
        const result = await invoke();
        expect(result.outcome).toEqual(outcome);
        expect(result.chunks).toBe(0);
        expect(result.error?.provider).toBe(target.provider_id);
      },
    );

    it('maps the documented answer to a bad key to an auth block, never showing the key', async () => {
      const wrong = 'wrong-key-abcdef0123456789';
      const result = await invoke(port(fake.env(wrong)));
      expect(fake.requests).toHaveLength(1);
      expect(protocol.read(fake.requests[0]!).key).toBe(wrong);
      expect(result.outcome).toEqual(failed('blocked', 'provider_auth_or_policy_block', false));
      expect(result.error?.message).not.toContain(wrong);
      expect(JSON.stringify(result.error)).not.toContain(wrong);
    });

    it('fails a stream with an event that is not JSON as malformed output, after the good deltas', async () => {
      fake.reply({
        kind: 'events',
        frames: [...protocol.stream(['Good'], false), protocol.malformedFrame()],
      });
      const result = await invoke();
      expect(result.outcome).toEqual(
        failed('infrastructure_failure', 'provider_server_error', true),
      );
      expect(result.error?.code).toBe('malformed_output');
      expect(result.text).toBe('Good');
    });

    it('fails a 200 that is not an event stream as malformed output', async () => {
      fake.reply({ kind: 'status', status: 200, body: '{"not":"a stream"}' });
      const result = await invoke();
      expect([result.outcome.class, result.error?.code]).toEqual([
        'infrastructure_failure',
        'malformed_output',
      ]);
    });

    it.each([0, 2])(
      'fails a connection broken after %i pieces as a transport error',
      async (count) => {
        const pieces = ['One', ' two', ' three', ' four'].slice(0, count);
        fake.reply({ kind: 'break', frames: protocol.stream(pieces, false) });
        const result = await invoke();
        expect(result.outcome).toEqual(
          failed('infrastructure_failure', 'provider_transport_error', true),
        );
        expect(result.chunks).toBe(count);
      },
    );

    it('fails a stream that ends without its terminal event as a transport error', async () => {
      fake.reply({ kind: 'events', frames: protocol.stream(['One', ' two'], false) });
      const result = await invoke();
      expect(result.outcome).toEqual(
        failed('infrastructure_failure', 'provider_transport_error', true),
      );
      expect(result.error?.detail).toBe('stream_truncated');
    });

    it('fails a complete stream without text as empty output', async () => {
      fake.replyStream([]);
      const result = await invoke();
      expect(result.outcome).toEqual(
        failed('infrastructure_failure', 'provider_server_error', true),
      );
      expect([result.error?.code, result.chunks]).toEqual(['empty_output', 0]);
    });

    if (protocol.midStreamError !== undefined) {
      const { frame, outcome } = protocol.midStreamError;
      it(`maps an error event mid-stream to ${outcome.class} / ${outcome.reason}`, async () => {
        fake.reply({ kind: 'events', frames: [...protocol.stream(['Good'], false), frame] });
        const result = await invoke();
        expect(result.outcome).toMatchObject(outcome);
        expect(result.text).toBe('Good');
      });
    }

    it('fails a refused connection as a transport error', async () => {
      const env = fake.env();
      await fake.dispose();
      const result = await invoke(port(env));
      expect(result.outcome).toEqual(
        failed('infrastructure_failure', 'provider_transport_error', true),
      );
      expect(result.error).toBeInstanceOf(AdapterError);
    });

    it('never puts the key or the conversation in an error message', async () => {
      const messages: string[] = [];
      for (const reply of [
        { kind: 'status', status: 400, body: protocol.errorBody(400) },
        { kind: 'events', frames: [protocol.malformedFrame()] },
        { kind: 'break', frames: [] },
      ] as const) {
        fake.reply(reply);
        const result = await invoke();
        messages.push(result.error?.message ?? 'no error');
      }
      for (const message of messages) {
        expect(message).toMatch(/^llm-[a-z]+: [a-z_]+/);
        expect(message).not.toContain(FAKE_KEY);
        for (const input of CONFORMANCE_CONTEXT) expect(message).not.toContain(input.text);
      }
    });

    it('refuses streams past max_concurrency as overload', async () => {
      const llm = port();
      const limit = llm.capabilities.max_concurrency;
      const controller = new AbortController();
      const held: Promise<unknown>[] = [];
      for (let i = 0; i < limit; i += 1) {
        fake.reply({ kind: 'silence' });
        held.push(llm.stream(request(llm, controller.signal))[Symbol.asyncIterator]().next());
      }
      await fake.received(limit);
      const result = await invoke(llm);
      expect(result.outcome).toMatchObject({ class: 'overload', reason: 'provider_overload' });
      controller.abort();
      await Promise.all(held);
    });
  });
}
