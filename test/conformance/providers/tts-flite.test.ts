// The flite adapter against the real flite (ADR 0043): the shared provider conformance suite, the
// offline TTS cases, its 8 kHz voice converted to the pipeline rate, and its settings from
// RSPP_TTS_FLITE_*. A missing flite fails these tests with the install command (never a skip).
import { beforeEach, describe, expect, it } from 'vitest';
import { invokeProvider, type TtsChunk, type TtsInput } from '../../../contracts/index.ts';
import {
  createFliteTts,
  detectFlite,
  fliteConfigFromEnv,
} from '../../../adapters/providers/flite/index.ts';
import { createRealScheduler } from '../../../adapters/providers/sim/index.ts';
import { requireOfflineSpeech, rmsDbfs } from '../../harness/offline-speech.ts';
import { attemptFields, fromArray, requestOf } from './fixtures.ts';
import { defineOfflineTtsCases } from './offline-tts-cases.ts';
import { defineProviderConformance } from './provider-conformance.ts';

const texts: TtsInput[] = [
  { type: 'text', text: 'Hello' },
  { type: 'text', text: ' world.' },
];

describe('with flite installed', () => {
  beforeEach(requireOfflineSpeech(['flite']));
  // The suite's clock is manual; the adapter's idle deadline waits on real time instead, so that
  // moving the suite's clock never fires it while flite runs.
  defineProviderConformance({
    name: 'tts-flite (real flite)',
    modality: 'tts',
    create: () =>
      createFliteTts({ config: fliteConfigFromEnv({}), scheduler: createRealScheduler() }),
    input: () => texts,
    seeded: false,
  });
});

defineOfflineTtsCases({
  name: 'tts-flite',
  tool: 'flite',
  provider_id: 'tts-flite',
  prefix: 'RSPP_TTS_FLITE',
  create: (env, options) => createFliteTts({ config: fliteConfigFromEnv(env), ...options }),
  // flite's last argument is the WAV it writes.
  garbage: 'for a; do out=$a; done; printf "not a wav file at all" > "$out"',
});

describe('tts-flite voices', () => {
  beforeEach(requireOfflineSpeech(['flite']));

  it('converts the 8 kHz kal voice to 16 kHz frames of the same duration', async () => {
    const speak = async (voice: string) => {
      const tts = createFliteTts({
        config: fliteConfigFromEnv({ RSPP_TTS_FLITE_VOICE: voice }),
        scheduler: createRealScheduler(),
      });
      const frames: TtsChunk[] = [];
      const settled = await invokeProvider(
        tts,
        requestOf(
          attemptFields('tts', 'tts-flite'),
          fromArray(texts),
          new AbortController().signal,
        ),
        (chunk) => void frames.push(chunk),
      );
      expect(settled.outcome.class).toBe('success');
      return frames;
    };
    const kal = await speak('kal');
    const kal16 = await speak('kal16');
    expect(kal.every((frame) => frame.pcm.length === 320)).toBe(true);
    expect(rmsDbfs(kal.map((frame) => frame.pcm))).toBeGreaterThan(-35);
    // The same diphone voice at two rates: the same length within 20 %.
    expect(Math.abs(kal.length - kal16.length) / kal16.length).toBeLessThan(0.2);
  });
});

describe('fliteConfigFromEnv and detectFlite', () => {
  it('applies the defaults', () => {
    expect(fliteConfigFromEnv({})).toEqual({
      binary: 'flite',
      voice: 'slt',
      timeout_ms: 15_000,
      segmenter: { mode: 'sentence', max_chars: 300 },
    });
  });

  it.each([
    [
      { RSPP_TTS_FLITE_VOICE: 'nobody' },
      'RSPP_TTS_FLITE_VOICE: expected one of awb, awb_time, kal, kal16, rms, slt or an absolute .flitevox path, received "nobody"',
    ],
    [
      { RSPP_TTS_FLITE_BINARY: 'fl ite' },
      'RSPP_TTS_FLITE_BINARY: expected a program name or path, received whitespace',
    ],
    [
      { RSPP_TTS_FLITE_TIMEOUT_MS: '0' },
      'RSPP_TTS_FLITE_TIMEOUT_MS: expected an integer from 1 to 600000, received "0"',
    ],
  ])('refuses %j', (env, message) => {
    expect(() => fliteConfigFromEnv(env)).toThrow(message);
  });

  it('names the program and the apt-get command when flite is not on the PATH', async () => {
    expect(await detectFlite({ PATH: '/nonexistent' })).toEqual({
      tool: 'flite',
      path: null,
      message:
        'flite is not installed (not found on PATH): install it with `sudo apt-get install -y flite` (Debian/Ubuntu packages)',
    });
  });
});
