// The Google Cloud TTS adapter (REST text:synthesize) against its loopback fake (the TTS port
// conformance suite), plus its settings from RSPP_TTS_GOOGLE_*.
import { describe, expect, it } from 'vitest';
import {
  createGoogleTts,
  googleTtsConfigFromEnv,
} from '../../../adapters/providers/google-tts/index.ts';
import { googleTtsProtocol } from '../../harness/provider-fakes/google-tts.ts';
import { startTtsHttpFake } from '../../harness/provider-fakes/tts-http-fake.ts';
import { defineTtsPortConformance } from './tts-port-conformance.ts';

defineTtsPortConformance({
  name: 'tts-google (REST text:synthesize, LINEAR16)',
  provider_id: 'tts-google',
  prefix: 'RSPP_TTS_GOOGLE',
  start: () => startTtsHttpFake(googleTtsProtocol),
  create: (env, scheduler) => createGoogleTts({ config: googleTtsConfigFromEnv(env), scheduler }),
  timeout_ms: 15_000,
  expected: { model: null, encoding: 'LINEAR16', sample_rate_hz: 16_000 },
});

describe('googleTtsConfigFromEnv', () => {
  const key = 'AIza-secret-value';

  it("applies the spec's defaults, LINEAR16 at 16 kHz, and the language of the voice", () => {
    const config = googleTtsConfigFromEnv({ RSPP_TTS_GOOGLE_API_KEY: key });
    expect(config.endpoint.href).toBe('https://texttospeech.googleapis.com/v1/text:synthesize');
    expect(config).toMatchObject({
      voice: 'en-US-Chirp3-HD-Achernar',
      language: 'en-US',
      sample_rate_hz: 16_000,
      timeout_ms: 15_000,
    });
    expect(JSON.stringify(config)).not.toContain(key);
    const root = googleTtsConfigFromEnv({
      RSPP_TTS_GOOGLE_API_KEY: key,
      RSPP_TTS_GOOGLE_ENDPOINT: 'https://tts.example.test',
      RSPP_TTS_GOOGLE_VOICE: 'de-DE-Neural2-A',
    });
    expect([root.endpoint.href, root.language]).toEqual([
      'https://tts.example.test/v1/text:synthesize',
      'de-DE',
    ]);
  });

  it.each([
    [{}, 'RSPP_TTS_GOOGLE_API_KEY: expected a non-empty API key, received unset'],
    [
      { RSPP_TTS_GOOGLE_API_KEY: key, RSPP_TTS_GOOGLE_AUDIO_ENCODING: 'MP3' },
      'RSPP_TTS_GOOGLE_AUDIO_ENCODING: expected LINEAR16 (the adapter streams PCM to the pipeline), received "MP3"',
    ],
    [
      {
        RSPP_TTS_GOOGLE_API_KEY: key,
        RSPP_TTS_GOOGLE_ENDPOINT: 'https://h/v1/text:synthesize?key=x',
      },
      'RSPP_TTS_GOOGLE_ENDPOINT: expected a URL without query or fragment (the key goes in a header), received a URL with a query',
    ],
    [
      { RSPP_TTS_GOOGLE_API_KEY: key, RSPP_TTS_GOOGLE_SAMPLE_RATE: '96000' },
      'RSPP_TTS_GOOGLE_SAMPLE_RATE: expected an integer from 8000 to 48000, received "96000"',
    ],
  ])('refuses %j naming variable, expected and received', (env, message) => {
    expect(() => googleTtsConfigFromEnv(env)).toThrow(message);
  });
});
