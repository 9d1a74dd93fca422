// The pocketsphinx adapter against the real pocketsphinx, hearing speech the flite adapter
// speaks (ADR 0043): the shared provider conformance suite, exact words with a grammar, partials
// while audio streams, cancellation that kills the process group, empty and malformed input, and
// failures from fake programs. The cloud suite (stt-port-conformance.ts) needs a WebSocket fake
// and a key: it does not apply. A missing program fails these tests with the install command.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  invokeProvider,
  type SttChunk,
  type SttInput,
  type SttPort,
} from '../../../contracts/index.ts';
import type { ProviderScheduler } from '../../../contracts/internal.ts';
import { createStreamResampler, type ProviderEnv } from '../../../adapters/providers/kit/index.ts';
import {
  createPocketsphinxStt,
  detectPocketsphinx,
  jsgfGrammar,
  pocketsphinxConfigFromEnv,
} from '../../../adapters/providers/pocketsphinx/index.ts';
import {
  createManualScheduler,
  createRealScheduler,
} from '../../../adapters/providers/sim/index.ts';
import {
  createFakePrograms,
  createPushInput,
  detectOfflineSpeech,
  eventually,
  exitOf,
  iterate,
  liveGroupMembers,
  requireOfflineSpeech,
  silenceFrames,
  spokenFrames,
  watchSpawn,
} from '../../harness/offline-speech.ts';
import { attemptFields, fromArray, nextTick, requestOf } from './fixtures.ts';
import { defineProviderConformance } from './provider-conformance.ts';

const WEATHER = 'What is the weather like in London today?';
const TABLE = 'Please book a table for two.';
const GRAMMAR = [WEATHER, TABLE, 'Call my mother tomorrow morning.', 'Yes.', 'No.'];

let weather: SttInput[] = [];
let table: SttInput[] = [];
let fakes: Awaited<ReturnType<typeof createFakePrograms>>;
let grammarEnv: ProviderEnv = {};

/** Fails each test of a block that needs the real programs while one is missing. */
const needsPrograms = requireOfflineSpeech(['pocketsphinx', 'flite']);

beforeAll(async () => {
  const found = await detectOfflineSpeech();
  if (found.flite.path !== null) {
    [weather, table] = await Promise.all([spokenFrames(WEATHER), spokenFrames(TABLE)]);
  }
  fakes = await createFakePrograms();
  grammarEnv = { RSPP_STT_POCKETSPHINX_JSGF: await fakes.file('rspp.gram', jsgfGrammar(GRAMMAR)) };
});
afterAll(() => fakes.remove());

const real = createRealScheduler();
const setup = (env: ProviderEnv = {}, scheduler: ProviderScheduler = real) => {
  const watched = watchSpawn();
  const stt = createPocketsphinxStt({
    config: pocketsphinxConfigFromEnv(env),
    scheduler,
    spawn: watched.spawn,
  });
  return { stt, children: watched.children };
};
const request = (stt: SttPort, input: AsyncIterable<SttInput>, signal: AbortSignal, over = {}) =>
  requestOf(attemptFields('stt', stt.capabilities.provider_id, over), input, signal);
const run = async (
  stt: SttPort,
  input: AsyncIterable<SttInput>,
  signal = new AbortController().signal,
) => {
  const chunks: SttChunk[] = [];
  const settled = await invokeProvider(stt, request(stt, input, signal), (chunk) => {
    chunks.push(chunk);
  });
  return { ...settled, chunks };
};

describe('with pocketsphinx installed', () => {
  beforeEach(needsPrograms);
  // The suite's clock is manual; the adapter's idle deadline waits on real time instead.
  defineProviderConformance({
    name: 'stt-pocketsphinx (real pocketsphinx)',
    modality: 'stt',
    create: () => createPocketsphinxStt({ config: pocketsphinxConfigFromEnv({}), scheduler: real }),
    input: () => weather,
    seeded: false,
  });
});

describe('stt-pocketsphinx (real pocketsphinx)', () => {
  beforeEach(needsPrograms);

  it('declares audio input at 16 kHz with partials and no rollback', () => {
    expect(setup().stt.capabilities).toMatchObject({
      provider_id: 'stt-pocketsphinx',
      modality: 'stt',
      max_concurrency: 4,
      streaming: { input: ['audio'], sample_rate_hz: 16_000, partials: true, rollback: false },
    });
  });

  it('hears exact words with a grammar, one partial per utterance, then the final, in one process', async () => {
    const { stt, children } = setup(grammarEnv);
    const result = await run(stt, fromArray([...weather, ...silenceFrames(1000), ...table]));
    expect(result.outcome.class).toBe('success');
    expect(children).toHaveLength(1);
    expect(result.chunks).toEqual([
      { type: 'partial', index: 0, text: 'what is the weather like in london today' },
      {
        type: 'partial',
        index: 1,
        text: 'what is the weather like in london today please book a table for two',
      },
      {
        type: 'final',
        index: 2,
        text: 'what is the weather like in london today please book a table for two',
      },
    ]);
  });

  it('yields the first partial while the audio is still streaming', async () => {
    const { stt } = setup(grammarEnv);
    const input = createPushInput<SttInput>();
    const iterator = iterate(stt.stream(request(stt, input, new AbortController().signal)));
    for (const frame of [...weather, ...silenceFrames(1000)]) input.push(frame);
    const first = await iterator.next();
    expect(first.value).toEqual({
      type: 'partial',
      index: 0,
      text: 'what is the weather like in london today',
    });
    for (const frame of table) input.push(frame);
    input.end();
    const rest: SttChunk[] = [];
    for (let step = await iterator.next(); step.done !== true; step = await iterator.next()) {
      rest.push(step.value);
    }
    expect(rest.at(-1)).toMatchObject({
      type: 'final',
      text: expect.stringContaining('table for two'),
    });
  });

  it('resamples 48 kHz frames to 16 kHz before pocketsphinx hears them', async () => {
    const up = createStreamResampler(48_000);
    const frames48: SttInput[] = weather.map((frame) => ({
      type: 'audio',
      pcm: up.push((frame as { pcm: Int16Array }).pcm, 16_000),
      sample_rate_hz: 48_000,
    }));
    frames48.push({ type: 'audio', pcm: up.flush(), sample_rate_hz: 48_000 });
    const result = await run(setup(grammarEnv).stt, fromArray(frames48));
    expect(result.chunks.at(-1)).toEqual({
      type: 'final',
      index: 1,
      text: 'what is the weather like in london today',
    });
  });

  it('kills the whole process group at an abort mid-stream and yields nothing after it', async () => {
    const { stt, children } = setup();
    const controller = new AbortController();
    const input = createPushInput<SttInput>();
    for (const frame of weather) input.push(frame);
    const settling = run(stt, input, controller.signal);
    while (children.length === 0) await nextTick();
    const leader = children[0]!;
    controller.abort();
    const result = await settling;
    expect(result.outcome).toMatchObject({ class: 'cancelled', reason: 'provider_cancelled' });
    expect(result.chunks).toHaveLength(0);
    expect(await exitOf(leader)).toEqual({ code: null, signal: 'SIGKILL' });
    await eventually(async () => (await liveGroupMembers(leader.pid!)).length === 0);
  });

  it('starts no process when cancel_requested is set', async () => {
    const { stt, children } = setup();
    const settled = await invokeProvider(
      stt,
      request(stt, fromArray(weather), new AbortController().signal, { cancel_requested: true }),
    );
    expect(settled.outcome).toMatchObject({ class: 'cancelled', reason: 'provider_cancelled' });
    expect(children).toHaveLength(0);
  });

  it.each([
    ['silence', () => silenceFrames(1000)],
    ['no audio at all', () => []],
  ])('ends %s with one empty final', async (_, frames) => {
    const result = await run(setup().stt, fromArray(frames()));
    expect(result.outcome.class).toBe('success');
    expect(result.chunks).toEqual([{ type: 'final', index: 0, text: '' }]);
  });

  it('refuses text input as a client error without quoting it', async () => {
    const result = await run(setup().stt, fromArray([{ type: 'text', text: 'secret words' }]));
    expect(result.outcome).toMatchObject({ class: 'blocked', reason: 'provider_client_error' });
    expect(result.error?.detail).toBe('text_input');
    expect(result.error?.message).not.toContain('secret');
  });

  it('refuses audio frames without a usable sample rate as a client error', async () => {
    const bad: SttInput = { type: 'audio', pcm: new Int16Array(320), sample_rate_hz: 0 };
    const result = await run(setup().stt, fromArray([bad]));
    expect(result.outcome).toMatchObject({ class: 'blocked', reason: 'provider_client_error' });
    expect(result.error?.detail).toBe('audio_format');
  });
});

describe('stt-pocketsphinx failures (fake programs)', () => {
  it('fails a missing program as blocked / endpoint missing, naming it and the install command', async () => {
    const result = await run(
      setup({ RSPP_STT_POCKETSPHINX_BINARY: 'rspp-no-such-program' }).stt,
      fromArray(silenceFrames(500)),
    );
    expect(result.outcome).toMatchObject({
      class: 'blocked',
      retryable: false,
      reason: 'provider_endpoint_missing',
    });
    expect((result.error?.cause as Error).message).toContain(
      'sudo apt-get install -y pocketsphinx pocketsphinx-en-us',
    );
  });

  it('fails a crash as a retryable server error', async () => {
    const crash = await fakes.program('crash', 'exit 2');
    const result = await run(
      setup({ RSPP_STT_POCKETSPHINX_BINARY: crash }).stt,
      fromArray(silenceFrames(500)),
    );
    expect(result.outcome).toMatchObject({
      class: 'infrastructure_failure',
      reason: 'provider_server_error',
      retryable: true,
    });
    expect(result.error?.detail).toBe('exit_2');
  });

  it('times out a program that never answers on its idle deadline and kills its group', async () => {
    const scheduler = createManualScheduler();
    const mute = await fakes.program('mute', 'cat >/dev/null; exec sleep 60');
    const { stt, children } = setup({ RSPP_STT_POCKETSPHINX_BINARY: mute }, scheduler);
    const settling = run(stt, fromArray(silenceFrames(500)));
    while (children.length === 0) await nextTick();
    await scheduler.advance(10_000);
    const result = await settling;
    expect(result.outcome).toMatchObject({ class: 'timeout', reason: 'provider_timeout' });
    const leader = children[0]!;
    expect(await exitOf(leader)).toEqual({ code: null, signal: 'SIGKILL' });
    await eventually(async () => (await liveGroupMembers(leader.pid!)).length === 0);
  });
});

describe('pocketsphinxConfigFromEnv and detectPocketsphinx', () => {
  it('applies the defaults', () => {
    expect(pocketsphinxConfigFromEnv({})).toEqual({
      binary: 'pocketsphinx_continuous',
      jsgf_path: null,
      timeout_ms: 10_000,
    });
  });

  it('refuses a relative grammar path', () => {
    expect(() => pocketsphinxConfigFromEnv({ RSPP_STT_POCKETSPHINX_JSGF: 'g.gram' })).toThrow(
      'RSPP_STT_POCKETSPHINX_JSGF: expected an absolute path, received "g.gram"',
    );
  });

  it('names the program and the apt-get command when pocketsphinx is not on the PATH', async () => {
    expect((await detectPocketsphinx({ PATH: '/nonexistent' })).message).toBe(
      'pocketsphinx_continuous is not installed (not found on PATH): install it with `sudo apt-get install -y pocketsphinx pocketsphinx-en-us` (Debian/Ubuntu packages)',
    );
  });

  it('writes a JSGF grammar of lowercase word sentences', () => {
    expect(jsgfGrammar(['Yes, please!', 'No.'])).toBe(
      '#JSGF V1.0;\ngrammar rspp;\npublic <utterance> = yes please | no;\n',
    );
  });
});
