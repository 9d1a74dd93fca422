/**
 * The STT port conformance suite for adapters of cloud streaming APIs: each case starts a
 * loopback fake that speaks the provider's documented WebSocket protocol, drives the adapter
 * through `invokeProvider` or its raw stream, and checks both what the runtime sees (partials,
 * one final, the normalized outcome) and what the provider saw (route, key, model, audio format,
 * the audio itself, the end-of-audio message, the connection closing on abort). The adapter's
 * deadline waits on a manual clock; nothing here sleeps or reads the wall clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AdapterError,
  invokeProvider,
  type SttChunk,
  type SttInput,
  type SttPort,
} from '../../../contracts/index.ts';
import type { ProviderScheduler } from '../../../contracts/internal.ts';
import type { ProviderEnv } from '../../../adapters/providers/kit/index.ts';
import {
  createManualScheduler,
  type ManualScheduler,
} from '../../../adapters/providers/sim/index.ts';
import {
  FAKE_STT_KEY,
  FAKE_STT_MODEL,
  startSttFake,
  type FakeSegment,
  type SttFake,
  type SttWireProtocol,
} from '../../harness/provider-fakes/stt-fake.ts';
import {
  attemptFields,
  fromArray,
  nextTick,
  requestOf,
  failed,
  HTTP_OUTCOME_ROWS,
} from './fixtures.ts';

/** One cloud STT adapter under test. */
export interface SttPortTarget {
  /** Shown in the describe block. */
  readonly name: string;
  /** The provider id it declares by default. */
  readonly provider_id: string;
  /** The protocol its fake speaks. */
  readonly protocol: SttWireProtocol;
  /** Builds the adapter from an environment record (as the composition root would). */
  create(env: ProviderEnv, scheduler: ProviderScheduler): SttPort;
  /** The idle deadline the environment configures (the adapter's default). */
  readonly timeout_ms: number;
  /** Shortest audio message the adapter sends (ms). */
  readonly min_chunk_ms: number;
}

const RATE = 16_000;

/** `count` frames of 20 ms of a 440 Hz tone at `rate`. */
export function toneFrames(count: number, rate = RATE): SttInput[] {
  const size = rate / 50;
  return Array.from({ length: count }, (_, f) => ({
    type: 'audio' as const,
    sample_rate_hz: rate,
    pcm: Int16Array.from({ length: size }, (_, i) =>
      Math.round(8_000 * Math.sin((2 * Math.PI * 440 * (f * size + i)) / rate)),
    ),
  }));
}

/** An input the test feeds frame by frame and ends when it wants. */
function pushInput() {
  const queue: SttInput[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  return {
    push(item: SttInput) {
      queue.push(item);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<SttInput> {
      for (;;) {
        const item = queue.shift();
        if (item !== undefined) yield item;
        else if (ended) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

const SEGMENTS: readonly FakeSegment[] = [
  { interims: ['hello', 'hello wor'], final: 'Hello world.' },
  { interims: ['how are'], final: 'How are you?' },
];

const pcmOf = (buffers: readonly Buffer[]): Int16Array => {
  const bytes = Buffer.concat(buffers);
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

/** Defines the suite for one adapter. */
export function defineSttPortConformance(target: SttPortTarget): void {
  const { protocol } = target;

  describe(`stt port conformance: ${target.name} against its loopback fake`, () => {
    let fake: SttFake;
    let scheduler: ManualScheduler;
    beforeEach(async () => {
      fake = await startSttFake(protocol);
      scheduler = createManualScheduler();
    });
    afterEach(() => fake.dispose());

    const port = (env: ProviderEnv = fake.env()) => target.create(env, scheduler);
    const request = (
      stt: SttPort,
      signal: AbortSignal,
      input: AsyncIterable<SttInput> = fromArray(toneFrames(10)),
      overrides = {},
    ) => requestOf(attemptFields('stt', stt.capabilities.provider_id, overrides), input, signal);
    const invoke = async (
      stt = port(),
      input: AsyncIterable<SttInput> = fromArray(toneFrames(10)),
      controller = new AbortController(),
    ) => {
      const collected: SttChunk[] = [];
      const settled = await invokeProvider(stt, request(stt, controller.signal, input), (chunk) => {
        collected.push(chunk);
      });
      return { ...settled, collected, last: collected.at(-1) };
    };

    it('declares an stt provider id, audio input at 16 kHz, partials and a concurrency limit', () => {
      const caps = port().capabilities;
      expect(caps).toMatchObject({
        provider_id: target.provider_id,
        modality: 'stt',
        streaming: { input: ['audio'], sample_rate_hz: RATE, partials: true, rollback: true },
      });
      expect(caps.max_concurrency).toBeGreaterThanOrEqual(1);
    });

    it('streams whole-utterance partial hypotheses, then exactly one final, last', async () => {
      fake.transcribe(SEGMENTS);
      const result = await invoke();
      expect(result.outcome.class).toBe('success');
      const partials = result.collected.filter((c) => c.type === 'partial').map((c) => c.text);
      expect(partials[0]?.toLowerCase()).toBe('hello');
      expect(partials).toContain('Hello world.');
      expect(partials.at(-1)).toBe('Hello world. How are you?');
      expect(partials.every((text) => text.trim() !== '')).toBe(true);
      expect(new Set(partials).size).toBe(partials.length);
      expect(result.last).toEqual({
        type: 'final',
        index: result.collected.length - 1,
        text: 'Hello world. How are you?',
      });
      expect(result.collected.filter((c) => c.type === 'final')).toHaveLength(1);
    });

    it('connects with the key, the model and 16-bit mono at 16 kHz, sends the audio as is and ends it once', async () => {
      fake.transcribe(SEGMENTS);
      const frames = toneFrames(10);
      await invoke(port(), fromArray(frames));
      expect(fake.connections).toHaveLength(1);
      const [connection] = fake.connections;
      if (connection === undefined) throw new Error('no connection');
      expect(protocol.matches(connection.url)).toBe(true);
      expect(protocol.read(connection)).toEqual({
        key: FAKE_STT_KEY,
        model: FAKE_STT_MODEL,
        sample_rate: RATE,
        pcm16: true,
        mono: true,
      });
      expect(connection.url).not.toContain(FAKE_STT_KEY);
      const sent = pcmOf(connection.audio);
      const expected = Int16Array.from(
        frames.flatMap((f) => (f.type === 'audio' ? [...f.pcm] : [])),
      );
      expect(sent.subarray(0, expected.length)).toEqual(expected);
      // Only silence pads the last message up to the provider's shortest chunk.
      expect(sent.subarray(expected.length).every((s) => s === 0)).toBe(true);
      const messageMs = connection.audio.map((b) => (b.length / 2 / RATE) * 1000);
      expect(messageMs.every((ms) => ms >= target.min_chunk_ms)).toBe(true);
      expect(connection.texts.filter((t) => protocol.isFinish(t))).toHaveLength(1);
    });

    it('resamples 48 kHz frames to the session rate with a band-limited converter', async () => {
      fake.transcribe(SEGMENTS);
      const frames = toneFrames(25, 48_000);
      const result = await invoke(port(), fromArray(frames));
      expect(result.outcome.class).toBe('success');
      const sent = pcmOf(fake.connections[0]!.audio);
      // 0.5 s at 16 kHz, plus at most the padding of the last message.
      expect(sent.length).toBeGreaterThanOrEqual(8_000);
      expect(sent.length).toBeLessThanOrEqual(8_000 + (RATE * target.min_chunk_ms) / 1000);
      let signal = 0;
      let error = 0;
      for (let i = 200; i < 7_800; i += 1) {
        const ideal = 8_000 * Math.sin((2 * Math.PI * 440 * i) / RATE);
        signal += ideal * ideal;
        error += (sent[i]! - ideal) ** 2;
      }
      expect(10 * Math.log10(signal / error)).toBeGreaterThan(40);
    });

    it('yields the first partial while audio is still streaming', async () => {
      fake.transcribe(SEGMENTS, 1);
      const stt = port();
      const input = pushInput();
      const stream = stt.stream(request(stt, new AbortController().signal, input));
      const iterator = stream[Symbol.asyncIterator]();
      const first = iterator.next();
      for (const frame of toneFrames(3)) input.push(frame);
      expect((await first).value).toMatchObject({ type: 'partial', index: 0 });
      fake.release();
      input.end();
      const rest: SttChunk[] = [];
      for (let step = await iterator.next(); step.done !== true; step = await iterator.next()) {
        rest.push(step.value);
      }
      expect(rest.at(-1)).toMatchObject({ type: 'final', text: 'Hello world. How are you?' });
    });

    it('makes no connection when cancel_requested is set', async () => {
      const stt = port();
      const signal = new AbortController().signal;
      const settled = await invokeProvider(
        stt,
        request(stt, signal, fromArray(toneFrames(2)), { cancel_requested: true }),
      );
      const raw = stt.stream(request(stt, signal, fromArray([]), { cancel_requested: true }));
      expect(await raw[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
      expect(settled.outcome).toMatchObject({ class: 'cancelled', reason: 'provider_cancelled' });
      expect(fake.connections).toHaveLength(0);
    });

    it('ends at an abort mid-stream within the tick, yields nothing after it and closes the socket', async () => {
      fake.transcribe(SEGMENTS, 1);
      const stt = port();
      const controller = new AbortController();
      const input = pushInput();
      const iterator = stt.stream(request(stt, controller.signal, input))[Symbol.asyncIterator]();
      const first = iterator.next();
      // 60 ms: enough for the largest shortest-message size a provider asks for.
      for (const frame of toneFrames(3)) input.push(frame);
      expect((await first).done).toBe(false);
      const pending = iterator.next();
      controller.abort();
      expect(await Promise.race([pending, nextTick()])).toEqual({ done: true, value: undefined });
      await fake.closed(0);
      fake.release();
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
    });

    it('settles an abort after the first partial as cancelled with one chunk', async () => {
      fake.transcribe(SEGMENTS, 1);
      const stt = port();
      const controller = new AbortController();
      let afterAbort = 0;
      const settled = await invokeProvider(
        stt,
        request(stt, controller.signal, fromArray(toneFrames(3))),
        () => {
          if (controller.signal.aborted) afterAbort += 1;
          else controller.abort();
        },
      );
      expect(settled).toEqual({
        outcome: failed('cancelled', 'provider_cancelled', false),
        chunks: 1,
        error: null,
      });
      expect(afterAbort).toBe(0);
      await fake.closed(0);
    });

    it('closes the socket when aborted during the handshake', async () => {
      fake.script({ kind: 'silence' });
      const stt = port();
      const controller = new AbortController();
      const pending = stt.stream(request(stt, controller.signal))[Symbol.asyncIterator]().next();
      await fake.received(1);
      controller.abort();
      expect(await Promise.race([pending, nextTick()])).toEqual({ done: true, value: undefined });
      await fake.closed(0);
    });

    it('times out on its idle deadline when the handshake is never answered', async () => {
      fake.script({ kind: 'silence' });
      const settling = invoke();
      await fake.received(1);
      await scheduler.advance(target.timeout_ms - 1);
      expect(fake.connections[0]?.closed_at).toBeNull();
      await scheduler.advance(1);
      const result = await settling;
      expect(result.outcome).toEqual(failed('timeout', 'provider_timeout', true));
      expect([result.error?.code, result.chunks]).toEqual(['timeout', 0]);
      await fake.closed(0);
    });

    it('times out when the provider goes quiet after the end of audio, keeping the partials', async () => {
      fake.script({ kind: 'session', frames: protocol.results(SEGMENTS), on_finish: 'silence' });
      const stt = port();
      let finishSeen: () => void = () => undefined;
      const seen = new Promise<void>((resolve) => (finishSeen = resolve));
      const collected: SttChunk[] = [];
      const settling = invokeProvider(
        stt,
        request(stt, new AbortController().signal, fromArray(toneFrames(5))),
        (chunk) => void collected.push(chunk),
      );
      const poll = () =>
        fake.connections[0]?.texts.some((t) => protocol.isFinish(t)) === true
          ? finishSeen()
          : setImmediate(poll);
      poll();
      await seen;
      await scheduler.advance(target.timeout_ms);
      const settled = await settling;
      expect(settled.outcome).toEqual(failed('timeout', 'provider_timeout', true));
      expect(collected.length).toBeGreaterThan(0);
      expect(collected.every((c) => c.type === 'partial')).toBe(true);
    });

    it('settles an abort whose reason is a deadline as timeout', async () => {
      fake.script({ kind: 'silence' });
      const controller = new AbortController();
      const settling = invoke(port(), fromArray(toneFrames(2)), controller);
      await fake.received(1);
      controller.abort(new DOMException('deadline', 'TimeoutError'));
      const result = await settling;
      expect(result.outcome).toEqual(failed('timeout', 'provider_timeout', true));
      expect(result.error).toBeNull();
    });

    it.each(HTTP_OUTCOME_ROWS)(
      'maps a handshake refused with HTTP %i (Retry-After %s) and its error body to its outcome row',
      async (status, retryAfter, outcome) => {
        fake.script({
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
      expect(protocol.read(fake.connections[0]!).key).toBe(wrong);
      expect(result.outcome).toEqual(failed('blocked', 'provider_auth_or_policy_block', false));
      expect(result.error?.message).not.toContain(wrong);
      expect(JSON.stringify(result.error)).not.toContain(wrong);
    });

    it('fails a message that is not JSON as malformed output, after the good partials', async () => {
      fake.script({
        kind: 'session',
        frames: [
          ...protocol.results([{ interims: ['hello'], final: 'Hello.' }]),
          protocol.malformedFrame(),
        ],
        on_finish: 'silence',
      });
      const result = await invoke();
      expect(result.outcome).toEqual(
        failed('infrastructure_failure', 'provider_server_error', true),
      );
      expect(result.error?.code).toBe('malformed_output');
      expect(result.chunks).toBeGreaterThan(0);
      await fake.closed(0);
    });

    it('fails a connection dropped mid-stream as a transport error, keeping the partials', async () => {
      fake.script({
        kind: 'drop',
        frames: protocol.results([{ interims: ['hello'], final: 'Hello.' }]),
      });
      const result = await invoke(port(), fromArray(toneFrames(50)));
      expect(result.outcome).toEqual(
        failed('infrastructure_failure', 'provider_transport_error', true),
      );
      expect(result.collected.map((c) => c.type)).not.toContain('final');
    });

    it('ends a session that heard nothing with one empty final (zero output)', async () => {
      fake.transcribe([{ interims: [], final: '' }]);
      const result = await invoke();
      expect(result.outcome.class).toBe('success');
      expect(result.collected).toEqual([{ type: 'final', index: 0, text: '' }]);
    });

    it('ends a session without audio with one empty final', async () => {
      fake.transcribe([]);
      const result = await invoke(port(), fromArray([]));
      expect(result.outcome.class).toBe('success');
      expect(result.collected).toEqual([{ type: 'final', index: 0, text: '' }]);
      expect(fake.connections[0]?.audio).toHaveLength(0);
    });

    for (const failure of protocol.midStreamErrors) {
      it(`maps ${failure.title} mid-stream to ${failure.outcome.class} / ${failure.outcome.reason}`, async () => {
        fake.script(failure.script(protocol.results([{ interims: ['hello'], final: 'Hello.' }])));
        const result = await invoke(port(), fromArray(toneFrames(50)));
        expect(result.outcome).toMatchObject(failure.outcome);
        expect(result.error).toBeInstanceOf(AdapterError);
      });
    }

    it('fails a refused connection as a transport error', async () => {
      const env = fake.env();
      await fake.dispose();
      const result = await invoke(port(env));
      expect(result.outcome).toEqual(
        failed('infrastructure_failure', 'provider_transport_error', true),
      );
    });

    it('refuses text input as a client error without sending it', async () => {
      fake.transcribe(SEGMENTS);
      const result = await invoke(port(), fromArray([{ type: 'text', text: 'secret words' }]));
      expect(result.outcome).toEqual(failed('blocked', 'provider_client_error', false));
      expect(result.error?.detail).toBe('text_input');
      expect(fake.connections[0]?.texts.join('')).not.toContain('secret words');
    });

    it('never puts the key or the transcript in an error message', async () => {
      const messages: string[] = [];
      for (const script of [
        { kind: 'status', status: 400, body: protocol.errorBody(400) },
        {
          kind: 'session',
          frames: [...protocol.results(SEGMENTS), protocol.malformedFrame()],
          on_finish: 'silence',
        },
        { kind: 'drop', frames: protocol.results(SEGMENTS) },
      ] as const) {
        fake.script(script);
        const result = await invoke(port(), fromArray(toneFrames(50)));
        messages.push(result.error?.message ?? 'no error');
      }
      for (const message of messages) {
        expect(message).toMatch(/^stt-[a-z]+: [a-z_]+/);
        expect(message).not.toContain(FAKE_STT_KEY);
        expect(message.toLowerCase()).not.toContain('hello');
      }
    });

    it('refuses streams past max_concurrency as overload', async () => {
      const stt = port();
      const limit = stt.capabilities.max_concurrency;
      const controller = new AbortController();
      const held: Promise<unknown>[] = [];
      for (let i = 0; i < limit; i += 1) {
        fake.script({ kind: 'silence' });
        held.push(stt.stream(request(stt, controller.signal))[Symbol.asyncIterator]().next());
      }
      await fake.received(limit);
      const result = await invoke(stt);
      expect(result.outcome).toMatchObject({ class: 'overload', reason: 'provider_overload' });
      controller.abort();
      await Promise.all(held);
    });
  });
}
