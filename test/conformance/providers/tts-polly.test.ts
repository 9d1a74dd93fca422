// The Amazon Polly adapter (REST SynthesizeSpeech, SigV4) against its loopback fake (the TTS
// port conformance suite, with every request's signature recomputed by the fake), plus its
// settings from RSPP_TTS_POLLY_* and the AWS credential variables.
import { describe, expect, it } from 'vitest';
import { createPollyTts, pollyConfigFromEnv } from '../../../adapters/providers/polly/index.ts';
import { pollyProtocol } from '../../harness/provider-fakes/polly.ts';
import { startTtsHttpFake } from '../../harness/provider-fakes/tts-http-fake.ts';
import { defineTtsPortConformance } from './tts-port-conformance.ts';

defineTtsPortConformance({
  name: 'tts-amazon-polly (REST SynthesizeSpeech, SigV4, pcm)',
  provider_id: 'tts-amazon-polly',
  prefix: 'RSPP_TTS_POLLY',
  start: () => startTtsHttpFake(pollyProtocol),
  create: (env, scheduler) => createPollyTts({ config: pollyConfigFromEnv(env), scheduler }),
  timeout_ms: 15_000,
  expected: { model: 'neural', encoding: 'pcm', sample_rate_hz: 16_000 },
});

describe('pollyConfigFromEnv', () => {
  const creds = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-value-xyz' };

  it("applies the spec's defaults and keeps the credentials out of JSON", () => {
    const config = pollyConfigFromEnv(creds);
    expect(config.endpoint.href).toBe('https://polly.us-east-1.amazonaws.com/v1/speech');
    expect(config).toMatchObject({ region: 'us-east-1', voice: 'Joanna', engine: 'neural' });
    expect(config.credentials.secretAccessKey).toBe('secret-value-xyz');
    expect(JSON.stringify(config)).not.toContain('secret-value-xyz');
    expect(JSON.stringify(config)).not.toContain('AKIDEXAMPLE');
    const regional = pollyConfigFromEnv({ ...creds, AWS_REGION: 'eu-central-1' });
    expect(regional.endpoint.href).toBe('https://polly.eu-central-1.amazonaws.com/v1/speech');
    const own = pollyConfigFromEnv({
      ...creds,
      AWS_REGION: 'eu-central-1',
      RSPP_TTS_POLLY_REGION: 'ap-south-1',
    });
    expect(own.region).toBe('ap-south-1');
  });

  it.each([
    [{}, 'AWS_ACCESS_KEY_ID: expected a non-empty API key, received unset'],
    [
      { AWS_ACCESS_KEY_ID: 'AKID' },
      'AWS_SECRET_ACCESS_KEY: expected a non-empty API key, received unset',
    ],
    [
      { ...creds, RSPP_TTS_POLLY_REGION: 'mars' },
      'RSPP_TTS_POLLY_REGION: expected an AWS region such as us-east-1, received "mars"',
    ],
    [
      { ...creds, RSPP_TTS_POLLY_ENGINE: 'turbo' },
      'RSPP_TTS_POLLY_ENGINE: expected one of standard, neural, long-form, generative, received "turbo"',
    ],
    [
      { ...creds, RSPP_TTS_POLLY_SAMPLE_RATE: '12000' },
      'RSPP_TTS_POLLY_SAMPLE_RATE: expected 8000 or 16000 (the rates of pcm output), received "12000"',
    ],
  ])('refuses %j naming variable, expected and received', (env, message) => {
    expect(() => pollyConfigFromEnv(env)).toThrow(message);
  });
});
