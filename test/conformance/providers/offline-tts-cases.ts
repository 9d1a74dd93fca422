/**
 * The TTS port cases of the offline adapters (flite, espeak-ng; ADR 0043), run against the real
 * programs: sentence-by-sentence synthesis into exact frames, first audio before the reply is
 * complete, one process per sentence with the text never on its command line, cancellation that
 * kills the running process, and failures (missing program, non-zero exit, not a WAV, a hung
 * program past the idle deadline) as their normalized outcomes. Fake programs are shell scripts.
 * The cloud suite (tts-port-conformance.ts) needs a protocol fake and a key: it does not apply.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  invokeProvider,
  type TtsChunk,
  type TtsInput,
  type TtsPort,
} from '../../../contracts/index.ts';
import type { ProviderScheduler } from '../../../contracts/internal.ts';
import type { ProviderEnv, SpawnFunction } from '../../../adapters/providers/kit/index.ts';
import {
  createManualScheduler,
  createRealScheduler,
} from '../../../adapters/providers/sim/index.ts';
import {
  createFakePrograms,
  createPushInput,
  exitOf,
  iterate,
  requireOfflineSpeech,
  rmsDbfs,
  watchSpawn,
} from '../../harness/offline-speech.ts';
import { attemptFields, fromArray, nextTick, requestOf, stalledInput } from './fixtures.ts';

/** One offline TTS adapter under test. */
export interface OfflineTtsTarget {
  /** Shown in the describe block. */
  readonly name: string;
  /** The program it runs. */
  readonly tool: 'flite' | 'espeak-ng';
  /** The provider id it declares by default. */
  readonly provider_id: string;
  /** The env prefix of its settings. */
  readonly prefix: string;
  /** Builds the adapter from an environment record. */
  create(
    env: ProviderEnv,
    options: {
      scheduler: ProviderScheduler;
      spawn: SpawnFunction;
      max_concurrency?: number;
    },
  ): TtsPort;
  /** Body of a fake program that "succeeds" with output that is not a WAV. */
  readonly garbage: string;
}

/** Reply text as an LLM streams it: three sentences over three chunks. */
const REPLY = ['Hello there. How', ' are you', ' today? I am fine.'];
const LONG_SENTENCE = `${'This sentence keeps going on and on for a while, '.repeat(5)}and ends.`;

const inputOf = (texts: readonly string[]) =>
  fromArray(texts.map((text): TtsInput => ({ type: 'text', text })));

/** Defines the cases for one adapter. */
export function defineOfflineTtsCases(target: OfflineTtsTarget): void {
  const real = createRealScheduler();
  const setup = (env: ProviderEnv = {}, max_concurrency?: number) => {
    const watched = watchSpawn();
    const tts = target.create(env, {
      scheduler: real,
      spawn: watched.spawn,
      ...(max_concurrency === undefined ? {} : { max_concurrency }),
    });
    return { tts, children: watched.children };
  };
  const request = (tts: TtsPort, input: AsyncIterable<TtsInput>, signal: AbortSignal, over = {}) =>
    requestOf(attemptFields('tts', tts.capabilities.provider_id, over), input, signal);
  const run = async (
    tts: TtsPort,
    input: AsyncIterable<TtsInput>,
    signal = new AbortController().signal,
  ) => {
    const chunks: TtsChunk[] = [];
    const settled = await invokeProvider(tts, request(tts, input, signal), (chunk) => {
      chunks.push(chunk);
    });
    return { ...settled, chunks };
  };

  describe(`offline tts: ${target.name} (real ${target.tool})`, () => {
    beforeEach(requireOfflineSpeech([target.tool]));

    it('declares its id and the pipeline format', () => {
      const { tts } = setup();
      expect(tts.capabilities).toMatchObject({
        provider_id: target.provider_id,
        modality: 'tts',
        streaming: { encoding: 'pcm16', sample_rate_hz: 16_000, frame_ms: 20 },
      });
    });

    it('speaks each sentence in its own process, in exact 20 ms frames naming their input', async () => {
      const { tts, children } = setup();
      const result = await run(tts, inputOf(REPLY));
      expect(result.outcome.class).toBe('success');
      expect(children).toHaveLength(3);
      for (const chunk of result.chunks) {
        expect([chunk.pcm.length, chunk.sample_rate_hz, chunk.duration_ms]).toEqual([
          320, 16_000, 20,
        ]);
      }
      const inputs = result.chunks.map((chunk) => chunk.input_index);
      expect(inputs).toEqual([...inputs].sort((a, b) => a - b));
      expect(new Set(inputs)).toEqual(new Set([0, 1, 2].filter((i) => inputs.includes(i))));
      expect(inputs[0]).toBe(0);
      expect(inputs.at(-1)).toBe(2);
      expect(rmsDbfs(result.chunks.map((chunk) => chunk.pcm))).toBeGreaterThan(-35);
      // About 1.5-5 s for 10 words, whatever the voice.
      expect(result.chunks.length).toBeGreaterThan(75);
      expect(result.chunks.length).toBeLessThan(250);
      const words = REPLY.join('')
        .split(/\W+/)
        .filter((word) => word.length > 2);
      for (const child of children) {
        for (const word of words) expect(child.spawnargs.join(' ')).not.toContain(word);
      }
    });

    it('yields the first frame while the reply is still being written', async () => {
      const { tts, children } = setup();
      const input = createPushInput<TtsInput>();
      const controller = new AbortController();
      const iterator = iterate(tts.stream(request(tts, input, controller.signal)));
      input.push({ type: 'text', text: 'Hello there. And' });
      const first = await iterator.next();
      expect(first.done).toBe(false);
      expect(children).toHaveLength(1);
      input.push({ type: 'text', text: ' goodbye.' });
      input.end();
      let rest = 0;
      while ((await iterator.next()).done !== true) rest += 1;
      expect(rest).toBeGreaterThan(10);
      expect(children).toHaveLength(2);
    });

    it('starts no process when cancel_requested is set', async () => {
      const { tts, children } = setup();
      const settled = await invokeProvider(
        tts,
        request(tts, inputOf(REPLY), new AbortController().signal, { cancel_requested: true }),
      );
      expect(settled.outcome).toMatchObject({ class: 'cancelled', reason: 'provider_cancelled' });
      const raw = tts.stream(
        request(tts, inputOf(REPLY), new AbortController().signal, { cancel_requested: true }),
      );
      expect(await iterate(raw).next()).toEqual({ done: true, value: undefined });
      expect(children).toHaveLength(0);
    });

    it('kills the running process at an abort mid-synthesis and yields nothing after it', async () => {
      const controller = new AbortController();
      const watched = watchSpawn(() => setImmediate(() => controller.abort()));
      const tts = target.create({}, { scheduler: real, spawn: watched.spawn });
      const result = await run(tts, inputOf([LONG_SENTENCE]), controller.signal);
      expect(result.outcome).toMatchObject({ class: 'cancelled', reason: 'provider_cancelled' });
      expect(result.chunks).toHaveLength(0);
      expect(watched.children).toHaveLength(1);
      expect(await exitOf(watched.children[0]!)).toEqual({ code: null, signal: 'SIGKILL' });
    });

    it('ends within the tick at an abort after the first frame, without starting another process', async () => {
      const { tts, children } = setup();
      const controller = new AbortController();
      const iterator = iterate(tts.stream(request(tts, inputOf(REPLY), controller.signal)));
      expect((await iterator.next()).done).toBe(false);
      controller.abort();
      expect(await Promise.race([iterator.next(), nextTick()])).toEqual({
        done: true,
        value: undefined,
      });
      expect(children).toHaveLength(1);
    });

    it('stops waiting for a stalled input at an abort, releasing it, with no process', async () => {
      const { tts, children } = setup();
      const controller = new AbortController();
      const input = stalledInput<TtsInput>();
      const pending = iterate(tts.stream(request(tts, input, controller.signal))).next();
      await nextTick();
      controller.abort();
      expect(await Promise.race([pending, nextTick()])).toEqual({ done: true, value: undefined });
      expect(input.returned).toBe(1);
      expect(children).toHaveLength(0);
    });

    it('settles blank input as empty audio without starting a process', async () => {
      const { tts, children } = setup();
      const result = await run(tts, inputOf(['  ', '\n']));
      expect(result.outcome).toMatchObject({
        class: 'infrastructure_failure',
        reason: 'provider_empty_audio',
      });
      expect(children).toHaveLength(0);
    });

    it('refuses streams past max_concurrency as overload', async () => {
      const { tts } = setup({}, 1);
      const controller = new AbortController();
      const first = iterate(tts.stream(request(tts, stalledInput(), controller.signal)));
      const pending = first.next();
      await nextTick();
      const second = await run(tts, inputOf(REPLY));
      expect(second.outcome).toMatchObject({ class: 'overload', reason: 'provider_overload' });
      controller.abort();
      expect(await pending).toEqual({ done: true, value: undefined });
    });
  });

  describe(`offline tts: ${target.name} failures (fake programs)`, () => {
    let fakes: Awaited<ReturnType<typeof createFakePrograms>>;
    beforeAll(async () => {
      fakes = await createFakePrograms();
    });
    afterAll(() => fakes.remove());
    const binary = `${target.prefix}_BINARY`;

    it('fails a missing program as blocked / endpoint missing, naming it and the install command', async () => {
      const { tts } = setup({ [binary]: 'rspp-no-such-program' });
      const result = await run(tts, inputOf(REPLY));
      expect(result.outcome).toEqual({
        class: 'blocked',
        retryable: false,
        reason: 'provider_endpoint_missing',
        circuit_open: false,
        backoff_ms: 0,
      });
      expect(result.error?.detail).toBe('binary_missing');
      const cause = result.error?.cause as Error;
      expect(cause.message).toContain('rspp-no-such-program is not installed');
      expect(cause.message).toContain(`sudo apt-get install -y ${target.tool}`);
      expect(result.error?.message).not.toMatch(/Hello|fine/);
    });

    it('fails a non-zero exit as a retryable server error', async () => {
      const { tts } = setup({ [binary]: await fakes.program('exit3', 'cat >/dev/null; exit 3') });
      const result = await run(tts, inputOf(REPLY));
      expect(result.outcome).toMatchObject({
        class: 'infrastructure_failure',
        reason: 'provider_server_error',
        retryable: true,
      });
      expect(result.error?.detail).toBe('exit_3');
      expect(result.error?.message).not.toMatch(/Hello|fine/);
    });

    it('fails output that is not a WAV as malformed output', async () => {
      const { tts } = setup({ [binary]: await fakes.program('garbage', target.garbage) });
      const result = await run(tts, inputOf(REPLY));
      expect(result.outcome).toMatchObject({
        class: 'infrastructure_failure',
        reason: 'provider_server_error',
      });
      expect(result.error?.code).toBe('malformed_output');
      expect(result.chunks).toHaveLength(0);
    });

    it('times out a hung program on its idle deadline and kills it', async () => {
      const scheduler = createManualScheduler();
      const watched = watchSpawn();
      const hung = await fakes.program('hung', 'exec sleep 60');
      const tts = target.create({ [binary]: hung }, { scheduler, spawn: watched.spawn });
      const settling = run(tts, inputOf(REPLY));
      while (watched.children.length === 0) await nextTick();
      await scheduler.advance(15_000);
      const result = await settling;
      expect(result.outcome).toMatchObject({ class: 'timeout', reason: 'provider_timeout' });
      expect(await exitOf(watched.children[0]!)).toEqual({ code: null, signal: 'SIGKILL' });
    });
  });
}
