// The AssemblyAI adapter (v3 Universal Streaming WebSocket) against its loopback fake (the STT
// port conformance suite), plus its settings from RSPP_STT_ASSEMBLYAI_*.
import { describe, expect, it } from 'vitest';
import {
  assemblyAiConfigFromEnv,
  createAssemblyAiStt,
} from '../../../adapters/providers/assemblyai/index.ts';
import { assemblyAiProtocol } from '../../harness/provider-fakes/assemblyai.ts';
import { defineSttPortConformance } from './stt-port-conformance.ts';

defineSttPortConformance({
  name: 'stt-assemblyai (v3 Universal Streaming WebSocket)',
  provider_id: 'stt-assemblyai',
  protocol: assemblyAiProtocol,
  create: (env, scheduler) =>
    createAssemblyAiStt({ config: assemblyAiConfigFromEnv(env), scheduler }),
  timeout_ms: 10_000,
  min_chunk_ms: 50,
});

describe('assemblyAiConfigFromEnv', () => {
  const key = 'aai-secret-value';

  it('applies the defaults of the v3 streaming API around the key', () => {
    const config = assemblyAiConfigFromEnv({ RSPP_STT_ASSEMBLYAI_API_KEY: key });
    expect(config.url.href).toBe('wss://streaming.assemblyai.com/v3/ws');
    expect(config).toMatchObject({
      speech_model: 'universal-streaming-english',
      format_turns: true,
      sample_rate_hz: 16_000,
      timeout_ms: 10_000,
    });
    expect(JSON.stringify(config)).not.toContain(key);
  });

  it.each([
    [
      { RSPP_STT_ASSEMBLYAI_API_KEY: '' },
      'RSPP_STT_ASSEMBLYAI_API_KEY: expected a non-empty API key, received empty',
    ],
    [
      {
        RSPP_STT_ASSEMBLYAI_API_KEY: key,
        RSPP_STT_ASSEMBLYAI_ENDPOINT: 'https://api.assemblyai.com/v2/transcript',
      },
      'RSPP_STT_ASSEMBLYAI_ENDPOINT: expected the v3 streaming URL (wss://streaming.assemblyai.com/v3/ws), received the v2 batch route /v2/transcript',
    ],
    [
      { RSPP_STT_ASSEMBLYAI_API_KEY: key, RSPP_STT_ASSEMBLYAI_FORMAT_TURNS: 'maybe' },
      'RSPP_STT_ASSEMBLYAI_FORMAT_TURNS: expected one of 1, true, yes, on, 0, false, no, off, received "maybe"',
    ],
    [
      { RSPP_STT_ASSEMBLYAI_API_KEY: key, RSPP_STT_ASSEMBLYAI_TIMEOUT_MS: '-1' },
      'RSPP_STT_ASSEMBLYAI_TIMEOUT_MS: expected an integer from 1 to 600000, received "-1"',
    ],
  ])('refuses %j naming variable, expected and received', (env, message) => {
    expect(() => assemblyAiConfigFromEnv(env)).toThrow(message);
  });
});
