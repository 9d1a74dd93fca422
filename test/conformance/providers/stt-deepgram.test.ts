// The Deepgram adapter (live WebSocket protocol) against its loopback fake (the STT port
// conformance suite), plus its settings from RSPP_STT_DEEPGRAM_*.
import { describe, expect, it } from 'vitest';
import {
  createDeepgramStt,
  deepgramConfigFromEnv,
} from '../../../adapters/providers/deepgram/index.ts';
import { deepgramProtocol } from '../../harness/provider-fakes/deepgram.ts';
import { defineSttPortConformance } from './stt-port-conformance.ts';

defineSttPortConformance({
  name: 'stt-deepgram (live streaming WebSocket)',
  provider_id: 'stt-deepgram',
  protocol: deepgramProtocol,
  create: (env, scheduler) => createDeepgramStt({ config: deepgramConfigFromEnv(env), scheduler }),
  timeout_ms: 10_000,
  min_chunk_ms: 0,
});

describe('deepgramConfigFromEnv', () => {
  const key = 'dg-secret-value';

  it("applies the spec's defaults and takes its https endpoint as the wss route", () => {
    const config = deepgramConfigFromEnv({ RSPP_STT_DEEPGRAM_API_KEY: key });
    expect(config.url.href).toBe('wss://api.deepgram.com/v1/listen');
    expect(config).toMatchObject({
      model: 'nova-2',
      language: 'en-US',
      sample_rate_hz: 16_000,
      timeout_ms: 10_000,
    });
    expect(JSON.stringify(config)).not.toContain(key);
    expect(config.api_key).toBe(key);
  });

  it.each([
    [{}, 'RSPP_STT_DEEPGRAM_API_KEY: expected a non-empty API key, received unset'],
    [
      { RSPP_STT_DEEPGRAM_API_KEY: key, RSPP_STT_DEEPGRAM_ENDPOINT: 'ftp://h/v1/listen' },
      'RSPP_STT_DEEPGRAM_ENDPOINT: expected a ws(s) or http(s) URL with a host, received "ftp://h/v1/listen"',
    ],
    [
      { RSPP_STT_DEEPGRAM_API_KEY: key, RSPP_STT_DEEPGRAM_ENDPOINT: 'wss://h/v1/listen?model=x' },
      'RSPP_STT_DEEPGRAM_ENDPOINT: expected a URL without query or fragment, received "wss://h/v1/listen?model=x"',
    ],
    [
      { RSPP_STT_DEEPGRAM_API_KEY: key, RSPP_STT_DEEPGRAM_SAMPLE_RATE: '96000' },
      'RSPP_STT_DEEPGRAM_SAMPLE_RATE: expected an integer from 8000 to 48000, received "96000"',
    ],
    [
      { RSPP_STT_DEEPGRAM_API_KEY: key, RSPP_STT_DEEPGRAM_MODEL: 'nova 2' },
      'RSPP_STT_DEEPGRAM_MODEL: expected a model id ([A-Za-z0-9_.-]+), received "nova 2"',
    ],
    [
      { RSPP_STT_DEEPGRAM_API_KEY: key, RSPP_STT_DEEPGRAM_LANGUAGE: 'english!' },
      'RSPP_STT_DEEPGRAM_LANGUAGE: expected a BCP-47 language tag, received "english!"',
    ],
  ])('refuses %j naming variable, expected and received', (env, message) => {
    expect(() => deepgramConfigFromEnv(env)).toThrow(message);
  });

  it('never repeats the key in a refusal', () => {
    expect(() => deepgramConfigFromEnv({ RSPP_STT_DEEPGRAM_API_KEY: 'dg secret' })).toThrow(
      'RSPP_STT_DEEPGRAM_API_KEY: expected a key without whitespace, received 9 characters with whitespace',
    );
  });
});
