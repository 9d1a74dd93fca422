/**
 * The TTS port conformance suite for adapters of cloud APIs: each case starts a loopback fake
 * that speaks the provider's documented protocol (HTTP or WebSocket), drives the adapter through
 * `invokeProvider` or its raw stream, and checks both what the runtime sees (frames of exactly
 * the declared format naming the input they speak, the normalized outcome) and what the provider
 * saw (key, voice, model, audio format, the text cut into sentences, the connection closing on
 * abort). Deadlines wait on a manual clock; nothing here sleeps or reads the wall clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AdapterError,
  invokeProvider,
  type TtsChunk,
  type TtsInput,
  type TtsPort,
} from '../../../contracts/index.ts';
import type { ProviderScheduler } from '../../../contracts/internal.ts';
import type { ProviderEnv } from '../../../adapters/providers/kit/index.ts';
import {
  createManualScheduler,
  type ManualScheduler,
} from '../../../adapters/providers/sim/index.ts';
import {
  FAKE_TTS_KEY,
  FAKE_VOICE,
  MS_PER_CHAR,
  speechOf,
  spokenWeight,
  type TtsFake,
  type TtsScript,
} from '../../harness/provider-fakes/tts-fake.ts';
import { attemptFields, fromArray, nextTick, requestOf, stalledInput, failed } from './fixtures.ts';

/** One cloud TTS adapter under test. */
export interface TtsPortTarget {
  /** Shown in the describe block. */
  readonly name: string;
  /** The provider id it declares by default. */
  readonly provider_id: string;
  /** The env prefix of its settings (`RSPP_TTS_GOOGLE`). */
  readonly prefix: string;
  /** Starts a fake of its protocol. */
  start(): Promise<TtsFake>;
  /** Builds the adapter from an environment record (as the composition root would). */
  create(env: ProviderEnv, scheduler: ProviderScheduler): TtsPort;
  /** The idle deadline the environment configures (the adapter's default). */
  readonly timeout_ms: number;
  /** What the fake must receive besides key and voice. */
  readonly expected: {
    readonly model: string | null;
    readonly encoding: string;
    readonly sample_rate_hz: number;
  };
}

/** Reply text as an LLM streams it: three sentences over three chunks. */
const REPLY: readonly string[] = ['Hello there. How', ' are you', ' today? I am fine.'];
/** Its sentences, with the input chunks of their first and last characters. */
const SENTENCES = [
  { text: 'Hello there.', first: 0, last: 0 },
  { text: 'How are you today?', first: 0, last: 2 },
  { text: 'I am fine.', first: 2, last: 2 },
] as const;
const FRAME_MS = 20;
/** Frames the fakes' audio of `text` fills at the pipeline's format. */
const framesOf = (text: string) => Math.ceil((spokenWeight(text) * MS_PER_CHAR) / FRAME_MS);

const inputOf = (texts: readonly string[]) =>
  fromArray(texts.map((text): TtsInput => ({ type: 'text', text })));

/** Defines the suite for one adapter. */
export function defineTtsPortConformance(target: TtsPortTarget): void {
  describe(`tts port conformance: ${target.name} against its loopback fake`, () => {
    let fake: TtsFake;
    let scheduler: ManualScheduler;
    beforeEach(async () => {
      fake = await target.start();
      scheduler = createManualScheduler();
    });
    afterEach(() => fake.dispose());

    const port = (env: ProviderEnv = fake.env()) => target.create(env, scheduler);
    const request = (
      tts: TtsPort,
      signal: AbortSignal,
      input: AsyncIterable<TtsInput> = inputOf(REPLY),
      overrides = {},
    ) => requestOf(attemptFields('tts', tts.capabilities.provider_id, overrides), input, signal);
    const invoke = async (
      tts = port(),
      controller = new AbortController(),
      input: AsyncIterable<TtsInput> = inputOf(REPLY),
    ) => {
      const collected: TtsChunk[] = [];
      const settled = await invokeProvider(tts, request(tts, controller.signal, input), (chunk) => {
        collected.push(chunk);
      });
      return { ...settled, collected };
    };
    const sentencesAsked = () => fake.calls.flatMap((call) => call.texts);

    it('declares a tts provider id, a concurrency limit and the pipeline format', () => {
      const caps = port().capabilities;
      expect(caps.provider_id).toBe(target.provider_id);
      expect(caps.modality).toBe('tts');
      expect(caps.max_concurrency).toBeGreaterThanOrEqual(1);
      expect(caps.streaming).toEqual({ encoding: 'pcm16', sample_rate_hz: 16_000, frame_ms: 20 });
    });

    it('speaks the reply sentence by sentence in frames of exactly frame_ms naming their input', async () => {
      const result = await invoke();
      expect(result.error).toBeNull();
      expect(result.outcome.class).toBe('success');
      expect(sentencesAsked()).toEqual(SENTENCES.map((s) => s.text));
      // Every frame of a sentence names its first input chunk; its last frame its last one.
      const expected = SENTENCES.flatMap((s) => [
        ...Array.from({ length: framesOf(s.text) - 1 }, () => s.first),
        s.last,
      ]);
      expect(result.collected.map((c) => c.input_index)).toEqual(expected);
      expect(result.collected.every((c) => c.pcm.length === 320 && c.duration_ms === 20)).toBe(
        true,
      );
      // The audio is the provider's, sample for sample, the last frame padded with silence.
      const first = result.collected.slice(0, framesOf(SENTENCES[0].text));
      const joined = Int16Array.from(first.flatMap((c) => [...c.pcm]));
      const speech = speechOf(SENTENCES[0].text, 16_000, 0);
      expect([...joined.subarray(0, speech.length)]).toEqual([...speech]);
      expect(joined.subarray(speech.length).every((s) => s === 0)).toBe(true);
    });

    it('sends the key, the voice, the model, the audio format and the text, and nothing else', async () => {
      await invoke();
      expect(fake.calls.length).toBeGreaterThan(0);
      for (const call of fake.calls) {
        expect(call).toMatchObject({
          key: FAKE_TTS_KEY,
          voice: FAKE_VOICE,
          model: target.expected.model,
          encoding: target.expected.encoding,
          sample_rate_hz: target.expected.sample_rate_hz,
          problems: [],
        });
      }
    });

    it('yields the first frames while the provider is still speaking', async () => {
      fake.script({ kind: 'speak' }, { kind: 'hold' });
      const tts = port();
      const stream = tts.stream(request(tts, new AbortController().signal));
      const iterator = stream[Symbol.asyncIterator]();
      const early: TtsChunk[] = [];
      for (let i = 0; i < framesOf(SENTENCES[0].text); i += 1) {
        const step = await iterator.next();
        if (step.done === true) throw new Error('stream ended early');
        early.push(step.value);
      }
      expect(early.map((c) => c.index)).toEqual(early.map((_, i) => i));
      const pending = iterator.next();
      await fake.asked(2);
      fake.release();
      let rest = (await pending).done === true ? 0 : 1;
      while ((await iterator.next()).done !== true) rest += 1;
      expect(rest).toBe(framesOf(SENTENCES[1].text) + framesOf(SENTENCES[2].text));
    });

    it('cuts nothing when segmentation is whole: one text once the input ends', async () => {
      const result = await invoke(port({ ...fake.env(), [`${target.prefix}_SEGMENT`]: 'whole' }));
      expect(result.outcome.class).toBe('success');
      expect(sentencesAsked()).toEqual([REPLY.join('').trim()]);
    });

    it('makes no call when cancel_requested is set', async () => {
      const tts = port();
      const signal = new AbortController().signal;
      const settled = await invokeProvider(
        tts,
        request(tts, signal, inputOf(REPLY), { cancel_requested: true }),
      );
      expect(settled.outcome).toMatchObject({ class: 'cancelled', reason: 'provider_cancelled' });
      expect(fake.calls).toHaveLength(0);
    });

    it('ends at an abort mid-stream within the tick, yields nothing after it and closes the connection', async () => {
      fake.script({ kind: 'speak' }, { kind: 'hold' });
      const tts = port();
      const controller = new AbortController();
      const iterator = tts.stream(request(tts, controller.signal))[Symbol.asyncIterator]();
      for (let i = 0; i < framesOf(SENTENCES[0].text); i += 1) await iterator.next();
      const pending = iterator.next();
      await fake.asked(2);
      controller.abort();
      expect(await Promise.race([pending, nextTick()])).toEqual({ done: true, value: undefined });
      await fake.closed(fake.calls.length - 1);
      fake.release();
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
    });

    it('settles an abort after the first frame as cancelled with one chunk', async () => {
      const tts = port();
      const controller = new AbortController();
      let afterAbort = 0;
      const settled = await invokeProvider(tts, request(tts, controller.signal), () => {
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

    it('closes the connection when aborted while waiting for audio', async () => {
      fake.script({ kind: 'silence' });
      const tts = port();
      const controller = new AbortController();
      const pending = tts.stream(request(tts, controller.signal))[Symbol.asyncIterator]().next();
      await fake.asked(1);
      controller.abort();
      expect(await Promise.race([pending, nextTick()])).toEqual({ done: true, value: undefined });
      await fake.closed(0);
    });

    it('times out on its idle deadline when no audio comes, and closes the connection', async () => {
      fake.script({ kind: 'silence' });
      const settling = invoke();
      await fake.asked(1);
      await scheduler.advance(target.timeout_ms - 1);
      await scheduler.advance(1);
      const result = await settling;
      expect(result.outcome).toEqual(failed('timeout', 'provider_timeout', true));
      expect([result.error?.code, result.chunks]).toEqual(['timeout', 0]);
      await fake.closed(fake.calls.length - 1);
    });

    it('times out when audio stalls after a sentence, keeping the frames delivered', async () => {
      fake.script({ kind: 'speak' }, { kind: 'silence' });
      const collected: TtsChunk[] = [];
      let spoken: () => void = () => undefined;
      const firstSentence = new Promise<void>((resolve) => (spoken = resolve));
      const tts = port();
      const settling = invokeProvider(tts, request(tts, new AbortController().signal), (c) => {
        collected.push(c);
        if (collected.length === framesOf(SENTENCES[0].text)) spoken();
      });
      await firstSentence;
      await fake.asked(2);
      await scheduler.advance(target.timeout_ms);
      const settled = await settling;
      expect(settled.outcome).toEqual(failed('timeout', 'provider_timeout', true));
      expect(collected).toHaveLength(framesOf(SENTENCES[0].text));
    });

    it('does not time out while waiting for input (a slow LLM is not a slow TTS)', async () => {
      const tts = port();
      const controller = new AbortController();
      const input = stalledInput<TtsInput>();
      const settling = invoke(tts, controller, input);
      await scheduler.advance(target.timeout_ms * 3);
      controller.abort();
      const result = await settling;
      expect(result.outcome).toEqual(failed('cancelled', 'provider_cancelled', false));
      expect(input.returned).toBe(1);
    });

    it('settles an abort whose reason is a deadline as timeout', async () => {
      fake.script({ kind: 'silence' });
      const controller = new AbortController();
      const settling = invoke(port(), controller);
      await fake.asked(1);
      controller.abort(new DOMException('deadline', 'TimeoutError'));
      const result = await settling;
      expect(result.outcome).toEqual(failed('timeout', 'provider_timeout', true));
      expect(result.error).toBeNull();
    });

    it.each([
      [
        { kind: 'fail', failure: 'rate_limit', retry_after: '7' },
        failed('overload', 'provider_overload', true, true, 7000),
      ],
      [
        { kind: 'fail', failure: 'rate_limit' },
        failed('overload', 'provider_overload', true, true, 500),
      ],
      [
        { kind: 'fail', failure: 'auth' },
        failed('blocked', 'provider_auth_or_policy_block', false),
      ],
      [{ kind: 'fail', failure: 'client' }, failed('blocked', 'provider_client_error', false)],
      [
        { kind: 'fail', failure: 'server' },
        failed('infrastructure_failure', 'provider_server_error', true, true),
      ],
      [{ kind: 'fail', failure: 'gateway_timeout' }, failed('timeout', 'provider_timeout', true)],
    ] as const satisfies readonly (readonly [TtsScript, unknown])[])(
      'maps the documented answer %j to its outcome row',
      async (script, outcome) => {
        fake.script(script);
        const result = await invoke();
        expect(result.outcome).toEqual(outcome);
        expect(result.chunks).toBe(0);
        expect(result.error?.provider).toBe(target.provider_id);
      },
    );

    it('maps the documented answer to a bad key to an auth block, never showing the key', async () => {
      const wrong = 'wrong-key-abcdef0123456789';
      const result = await invoke(port(fake.env(wrong)));
      expect(fake.calls[0]?.key).toBe(wrong);
      expect(result.outcome).toEqual(failed('blocked', 'provider_auth_or_policy_block', false));
      expect(JSON.stringify(result.error)).not.toContain(wrong);
      expect(result.error?.message).not.toContain(wrong);
    });

    it.each([0, 1])(
      'fails malformed audio after %i good sentences as malformed output',
      async (good) => {
        fake.script(...Array.from({ length: good }, (): TtsScript => ({ kind: 'speak' })), {
          kind: 'malformed',
        });
        const result = await invoke();
        expect(result.outcome).toEqual(
          failed('infrastructure_failure', 'provider_server_error', true),
        );
        expect(result.error?.code).toBe('malformed_output');
        expect(result.chunks).toBe(good === 0 ? 0 : framesOf(SENTENCES[0].text));
      },
    );

    it.each([0, 1])(
      'fails a connection cut after %i good sentences as a transport error',
      async (good) => {
        fake.script(...Array.from({ length: good }, (): TtsScript => ({ kind: 'speak' })), {
          kind: 'break',
        });
        const result = await invoke();
        expect(result.outcome).toEqual(
          failed('infrastructure_failure', 'provider_transport_error', true),
        );
        expect(result.chunks).toBeGreaterThanOrEqual(good === 0 ? 0 : framesOf(SENTENCES[0].text));
      },
    );

    it('fails a complete answer without audio as empty audio', async () => {
      fake.script({ kind: 'empty' });
      const result = await invoke(port(), new AbortController(), inputOf(['Nothing to hear.']));
      expect(result.outcome).toEqual(
        failed('infrastructure_failure', 'provider_empty_audio', true),
      );
      expect([result.error?.code, result.chunks]).toEqual(['empty_audio', 0]);
    });

    it('makes no call for blank input and settles as empty audio', async () => {
      const result = await invoke(port(), new AbortController(), inputOf([' ', '\n']));
      expect(result.error?.code).toBe('empty_audio');
      expect(sentencesAsked()).toEqual([]);
    });

    it('fails a refused connection as a transport error', async () => {
      const env = fake.env();
      await fake.dispose();
      const result = await invoke(port(env));
      expect(result.outcome).toEqual(
        failed('infrastructure_failure', 'provider_transport_error', true),
      );
      expect(result.error).toBeInstanceOf(AdapterError);
    });

    it('never puts the key or the text in an error message', async () => {
      const messages: string[] = [];
      for (const script of [
        { kind: 'fail', failure: 'client' },
        { kind: 'malformed' },
        { kind: 'break' },
      ] as const) {
        fake.script(script);
        messages.push((await invoke()).error?.message ?? 'no error');
      }
      for (const message of messages) {
        expect(message).toMatch(/^tts-[a-z-]+: [a-z_]+/);
        expect(message).not.toContain(FAKE_TTS_KEY);
        for (const sentence of SENTENCES) expect(message).not.toContain(sentence.text);
      }
    });

    it('refuses streams past max_concurrency as overload', async () => {
      const tts = port();
      const limit = tts.capabilities.max_concurrency;
      const controller = new AbortController();
      const held: Promise<unknown>[] = [];
      for (let i = 0; i < limit; i += 1) {
        fake.script({ kind: 'silence' });
        held.push(tts.stream(request(tts, controller.signal))[Symbol.asyncIterator]().next());
      }
      await fake.asked(limit);
      const result = await invoke(tts);
      expect(result.outcome).toMatchObject({ class: 'overload', reason: 'provider_overload' });
      controller.abort();
      await Promise.all(held);
    });
  });
}
