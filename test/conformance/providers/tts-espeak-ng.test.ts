// The espeak-ng adapter against the real espeak-ng (ADR 0043): the shared provider conformance
// suite, the offline TTS cases, its 22.05 kHz stream converted to 16 kHz, and its settings from
// RSPP_TTS_ESPEAK_NG_*. A missing espeak-ng fails these tests with the install command.
import { beforeEach, describe, expect, it } from 'vitest';
import { invokeProvider, type TtsChunk, type TtsInput } from '../../../contracts/index.ts';
import {
  createEspeakNgTts,
  detectEspeakNg,
  espeakNgConfigFromEnv,
} from '../../../adapters/providers/espeak-ng/index.ts';
import { createRealScheduler } from '../../../adapters/providers/sim/index.ts';
import { createFakePrograms, requireOfflineSpeech } from '../../harness/offline-speech.ts';
import { attemptFields, fromArray, requestOf } from './fixtures.ts';
import { defineOfflineTtsCases } from './offline-tts-cases.ts';
import { defineProviderConformance } from './provider-conformance.ts';

const texts: TtsInput[] = [
  { type: 'text', text: 'Hello' },
  { type: 'text', text: ' world.' },
];

describe('with espeak-ng installed', () => {
  beforeEach(requireOfflineSpeech(['espeak-ng']));
  // The suite's clock is manual; the adapter's idle deadline waits on real time instead.
  defineProviderConformance({
    name: 'tts-espeak-ng (real espeak-ng)',
    modality: 'tts',
    create: () =>
      createEspeakNgTts({ config: espeakNgConfigFromEnv({}), scheduler: createRealScheduler() }),
    input: () => texts,
    seeded: false,
  });
});

defineOfflineTtsCases({
  name: 'tts-espeak-ng',
  tool: 'espeak-ng',
  provider_id: 'tts-espeak-ng',
  prefix: 'RSPP_TTS_ESPEAK_NG',
  create: (env, options) => createEspeakNgTts({ config: espeakNgConfigFromEnv(env), ...options }),
  garbage: 'cat >/dev/null; printf "not a wav file at all, nothing like one"',
});

const speak = async (env: Record<string, string>, input: readonly TtsInput[]) => {
  const tts = createEspeakNgTts({
    config: espeakNgConfigFromEnv(env),
    scheduler: createRealScheduler(),
  });
  const frames: TtsChunk[] = [];
  const settled = await invokeProvider(
    tts,
    requestOf(
      attemptFields('tts', 'tts-espeak-ng'),
      fromArray(input),
      new AbortController().signal,
    ),
    (chunk) => void frames.push(chunk),
  );
  return { settled, frames };
};

describe('tts-espeak-ng format', () => {
  it('converts its 22.05 kHz stream to 16 kHz, keeping the duration', async () => {
    const fakes = await createFakePrograms();
    try {
      // A fake espeak-ng streaming exactly 1 s of a 22.05 kHz tone as a WAV with espeak-ng's
      // placeholder sizes, in two writes.
      const samples = 22_050;
      const header = [
        'RIFF\\044\\360\\377\\177WAVEfmt \\020\\000\\000\\000\\001\\000\\001\\000',
        '\\042\\126\\000\\000\\104\\254\\000\\000\\002\\000\\020\\000data\\000\\360\\377\\177',
      ].join('');
      const tone = await fakes.program(
        'tone',
        `cat >/dev/null; printf '${header}'; head -c ${samples * 2} /dev/zero | tr '\\000' '\\020'`,
      );
      const { settled, frames } = await speak({ RSPP_TTS_ESPEAK_NG_BINARY: tone }, texts);
      expect(settled.outcome.class).toBe('success');
      // 1 s at 16 kHz is 50 frames of 20 ms (the last one padded).
      expect(frames.length).toBeGreaterThanOrEqual(50);
      expect(frames.length).toBeLessThanOrEqual(51);
      expect(frames.every((frame) => frame.pcm.length === 320)).toBe(true);
    } finally {
      await fakes.remove();
    }
  });
});

describe('tts-espeak-ng voices', () => {
  beforeEach(requireOfflineSpeech(['espeak-ng']));

  it('fails an unknown voice (exit 1) as a server error, never quoting the text', async () => {
    const { settled } = await speak({ RSPP_TTS_ESPEAK_NG_VOICE: 'xx-nowhere' }, texts);
    expect(settled.outcome).toMatchObject({
      class: 'infrastructure_failure',
      reason: 'provider_server_error',
    });
    expect(settled.error?.detail).toBe('exit_1');
    expect(settled.error?.message).not.toContain('Hello');
  });
});

describe('espeakNgConfigFromEnv and detectEspeakNg', () => {
  it('applies the defaults', () => {
    expect(espeakNgConfigFromEnv({})).toEqual({
      binary: 'espeak-ng',
      voice: 'en-us',
      words_per_minute: 175,
      timeout_ms: 15_000,
      segmenter: { mode: 'sentence', max_chars: 300 },
    });
  });

  it.each([
    [
      { RSPP_TTS_ESPEAK_NG_VOICE: 'en us' },
      'RSPP_TTS_ESPEAK_NG_VOICE: expected a voice name such as en-us or en-gb+f3, received "en us"',
    ],
    [
      { RSPP_TTS_ESPEAK_NG_WPM: '1000' },
      'RSPP_TTS_ESPEAK_NG_WPM: expected an integer from 80 to 450, received "1000"',
    ],
  ])('refuses %j', (env, message) => {
    expect(() => espeakNgConfigFromEnv(env)).toThrow(message);
  });

  it('names the program and the apt-get command when espeak-ng is not on the PATH', async () => {
    const status = await detectEspeakNg({ PATH: '/nonexistent' });
    expect(status.path).toBeNull();
    expect(status.message).toBe(
      'espeak-ng is not installed (not found on PATH): install it with `sudo apt-get install -y espeak-ng` (Debian/Ubuntu packages)',
    );
  });
});
