// The ElevenLabs adapter (stream-input WebSocket) against its loopback fake (the TTS port
// conformance suite), plus its settings from RSPP_TTS_ELEVENLABS_* and a provider rate that
// needs resampling.
import { describe, expect, it } from 'vitest';
import { invokeProvider, type TtsChunk } from '../../../contracts/index.ts';
import {
  createElevenLabsTts,
  elevenLabsConfigFromEnv,
} from '../../../adapters/providers/elevenlabs/index.ts';
import { createManualScheduler } from '../../../adapters/providers/sim/index.ts';
import {
  FAKE_ELEVENLABS_MODEL,
  startElevenLabsFake,
} from '../../harness/provider-fakes/elevenlabs.ts';
import { MS_PER_CHAR, spokenWeight } from '../../harness/provider-fakes/tts-fake.ts';
import { attemptFields, fromArray, requestOf } from './fixtures.ts';
import { defineTtsPortConformance } from './tts-port-conformance.ts';

defineTtsPortConformance({
  name: 'tts-elevenlabs (stream-input WebSocket)',
  provider_id: 'tts-elevenlabs',
  prefix: 'RSPP_TTS_ELEVENLABS',
  start: () => startElevenLabsFake(),
  create: (env, scheduler) =>
    createElevenLabsTts({ config: elevenLabsConfigFromEnv(env), scheduler }),
  timeout_ms: 15_000,
  expected: { model: FAKE_ELEVENLABS_MODEL, encoding: 'pcm_16000', sample_rate_hz: 16_000 },
});

describe('tts-elevenlabs at another provider rate', () => {
  it('asks for pcm_24000 and resamples it to 16 kHz frames of the same duration', async () => {
    const fake = await startElevenLabsFake(24_000);
    try {
      const tts = createElevenLabsTts({
        config: elevenLabsConfigFromEnv(fake.env()),
        scheduler: createManualScheduler(),
      });
      const collected: TtsChunk[] = [];
      const text = 'A longer sentence, to hear.';
      const settled = await invokeProvider(
        tts,
        requestOf(
          attemptFields('tts', 'tts-elevenlabs'),
          fromArray([{ type: 'text', text }] as const),
          new AbortController().signal,
        ),
        (chunk) => void collected.push(chunk),
      );
      expect(settled.error).toBeNull();
      expect(fake.calls[0]?.encoding).toBe('pcm_24000');
      expect(collected).toHaveLength(Math.ceil((spokenWeight(text) * MS_PER_CHAR) / 20));
      // A 220 Hz tone at amplitude 8000 stays a tone of about that amplitude.
      const peak = Math.max(...collected.slice(1, -1).flatMap((c) => [...c.pcm]));
      expect(peak).toBeGreaterThan(7000);
      expect(peak).toBeLessThan(9000);
    } finally {
      await fake.dispose();
    }
  });
});

describe('elevenLabsConfigFromEnv', () => {
  const key = 'sk_eleven_secret_value';

  it("applies the spec's defaults and takes root and voice from its REST URL", () => {
    const config = elevenLabsConfigFromEnv({
      RSPP_TTS_ELEVENLABS_API_KEY: key,
      RSPP_TTS_ELEVENLABS_ENDPOINT: 'https://api.elevenlabs.io/v1/text-to-speech/voice123',
    });
    expect(config).toMatchObject({
      voice_id: 'voice123',
      model: 'eleven_multilingual_v2',
      sample_rate_hz: 16_000,
      timeout_ms: 15_000,
      segmenter: { mode: 'sentence', max_chars: 300 },
    });
    expect(config.base_url.href).toBe('https://api.elevenlabs.io/');
    expect(JSON.stringify(config)).not.toContain(key);
    expect(elevenLabsConfigFromEnv({ RSPP_TTS_ELEVENLABS_API_KEY: key }).voice_id).toBe(
      'EXAVITQu4vr4xnSDxMaL',
    );
  });

  it.each([
    [{}, 'RSPP_TTS_ELEVENLABS_API_KEY: expected a non-empty API key, received unset'],
    [
      { RSPP_TTS_ELEVENLABS_API_KEY: key, RSPP_TTS_ELEVENLABS_SAMPLE_RATE: '11025' },
      'RSPP_TTS_ELEVENLABS_SAMPLE_RATE: expected one of 8000, 16000, 22050, 24000, 44100, 48000, received "11025"',
    ],
    [
      { RSPP_TTS_ELEVENLABS_API_KEY: key, RSPP_TTS_ELEVENLABS_SEGMENT: 'word' },
      'RSPP_TTS_ELEVENLABS_SEGMENT: expected sentence or whole, received "word"',
    ],
    [
      { RSPP_TTS_ELEVENLABS_API_KEY: key, RSPP_TTS_ELEVENLABS_VOICE_ID: 'a/b' },
      'RSPP_TTS_ELEVENLABS_VOICE_ID: expected an id ([A-Za-z0-9_.-]+), received "a/b"',
    ],
    [
      { RSPP_TTS_ELEVENLABS_API_KEY: key, RSPP_TTS_ELEVENLABS_ENDPOINT: 'wss://api.elevenlabs.io' },
      'RSPP_TTS_ELEVENLABS_ENDPOINT: expected an http(s) URL with a host, received "wss://api.elevenlabs.io"',
    ],
  ])('refuses %j naming variable, expected and received', (env, message) => {
    expect(() => elevenLabsConfigFromEnv(env)).toThrow(message);
  });
});
