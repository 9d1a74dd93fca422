/**
 * Settings of the Google Cloud TTS adapter from the `RSPP_TTS_GOOGLE_*` variables of
 * spec/providers-transport.md, validated at startup.
 */
import {
  ProviderConfigError,
  readInteger,
  readSecret,
  readSegmenterOptions,
  readText,
  readUrl,
  withApiKey,
  type ProviderEnv,
  type SegmenterOptions,
} from '../kit/index.ts';

const PREFIX = 'RSPP_TTS_GOOGLE';

/** Validated settings; `api_key` is not enumerable. */
export interface GoogleTtsConfig {
  /** The `text:synthesize` method URL. */
  readonly endpoint: URL;
  /** Voice name. */
  readonly voice: string;
  /** BCP-47 language code of the voice. */
  readonly language: string;
  /** Sent in `x-goog-api-key`. */
  readonly api_key: string;
  /** `sampleRateHertz` asked for (converted to 16 kHz when different). */
  readonly sample_rate_hz: number;
  /** Longest wait on the provider (input waits excluded) before an attempt times out. */
  readonly timeout_ms: number;
  /** How the reply is cut before synthesis. */
  readonly segmenter: SegmenterOptions;
}

const DEFAULT_ENDPOINT = 'https://texttospeech.googleapis.com/v1/text:synthesize';

/** Reads and validates the Google TTS settings; throws {@link ProviderConfigError}. */
export function googleTtsConfigFromEnv(env: ProviderEnv): GoogleTtsConfig {
  const api_key = readSecret(env, `${PREFIX}_API_KEY`);
  const url = readUrl(env, `${PREFIX}_ENDPOINT`, DEFAULT_ENDPOINT);
  if (url.search !== '' || url.hash !== '') {
    throw new ProviderConfigError(
      `${PREFIX}_ENDPOINT`,
      'a URL without query or fragment (the key goes in a header)',
      `a URL with ${url.search === '' ? 'a fragment' : 'a query'}`,
    );
  }
  const endpoint = new URL(url);
  // The API root alone is accepted too: the method path is added.
  if (!endpoint.pathname.endsWith('/text:synthesize')) {
    endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, '')}/v1/text:synthesize`;
  }
  const voice = readText(env, `${PREFIX}_VOICE`, 'en-US-Chirp3-HD-Achernar');
  const language = readText(
    env,
    `${PREFIX}_LANGUAGE`,
    /^[a-z]{2,3}-[A-Z]{2}/.exec(voice)?.[0] ?? 'en-US',
  );
  if (!/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/.test(language)) {
    throw new ProviderConfigError(
      `${PREFIX}_LANGUAGE`,
      'a BCP-47 language code',
      JSON.stringify(language),
    );
  }
  const encoding = readText(env, `${PREFIX}_AUDIO_ENCODING`, 'LINEAR16');
  if (encoding !== 'LINEAR16') {
    throw new ProviderConfigError(
      `${PREFIX}_AUDIO_ENCODING`,
      'LINEAR16 (the adapter streams PCM to the pipeline)',
      JSON.stringify(encoding),
    );
  }
  return withApiKey(
    {
      endpoint,
      voice,
      language,
      sample_rate_hz: readInteger(env, `${PREFIX}_SAMPLE_RATE`, 16_000, 8000, 48_000),
      timeout_ms: readInteger(env, `${PREFIX}_TIMEOUT_MS`, 15_000, 1, 600_000),
      segmenter: readSegmenterOptions(env, PREFIX),
    },
    api_key,
  );
}
