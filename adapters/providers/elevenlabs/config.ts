/**
 * Settings of the ElevenLabs adapter from the `RSPP_TTS_ELEVENLABS_*` variables of
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

const PREFIX = 'RSPP_TTS_ELEVENLABS';

/** Validated settings; `api_key` is not enumerable. */
export interface ElevenLabsConfig {
  /** API root (`https://api.elevenlabs.io`); the socket goes to its `wss:` form. */
  readonly base_url: URL;
  /** Voice id. */
  readonly voice_id: string;
  /** `model_id`. */
  readonly model: string;
  /** Sent in `xi-api-key`. */
  readonly api_key: string;
  /** Rate of the `pcm_<rate>` output format asked for (converted to 16 kHz when different). */
  readonly sample_rate_hz: number;
  /** `inactivity_timeout` in seconds: the server closes a socket that long without text. */
  readonly inactivity_timeout_s: number;
  /** Longest wait on the provider (input waits excluded) before an attempt times out. */
  readonly timeout_ms: number;
  /** How the reply is cut before synthesis. */
  readonly segmenter: SegmenterOptions;
}

const DEFAULT_ENDPOINT = 'https://api.elevenlabs.io';
/** The `pcm_*` output formats of the API. */
const PCM_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;
/** The spec's REST URL (`…/v1/text-to-speech/<voice>`): the root and the voice are taken from it. */
const METHOD_URL = /^(.*?)\/v1\/text-to-speech(?:\/([^/]+))?(?:\/stream(?:-input)?)?\/?$/;

/** Reads and validates the ElevenLabs settings; throws {@link ProviderConfigError}. */
export function elevenLabsConfigFromEnv(env: ProviderEnv): ElevenLabsConfig {
  const api_key = readSecret(env, `${PREFIX}_API_KEY`);
  const url = readUrl(env, `${PREFIX}_ENDPOINT`, DEFAULT_ENDPOINT);
  if (url.search !== '' || url.hash !== '') {
    throw new ProviderConfigError(
      `${PREFIX}_ENDPOINT`,
      'a URL without query or fragment',
      `a URL with ${url.search === '' ? 'a fragment' : 'a query'}`,
    );
  }
  const method = METHOD_URL.exec(url.pathname);
  const base = new URL(url);
  base.pathname = (method?.[1] ?? url.pathname).replace(/\/+$/, '');
  const voice_id = readText(env, `${PREFIX}_VOICE_ID`, method?.[2] ?? 'EXAVITQu4vr4xnSDxMaL');
  const model = readText(env, `${PREFIX}_MODEL`, 'eleven_multilingual_v2');
  for (const [name, value] of [
    ['VOICE_ID', voice_id],
    ['MODEL', model],
  ] as const) {
    if (!/^[\w.-]+$/.test(value)) {
      throw new ProviderConfigError(
        `${PREFIX}_${name}`,
        'an id ([A-Za-z0-9_.-]+)',
        JSON.stringify(value),
      );
    }
  }
  const sample_rate_hz = readInteger(env, `${PREFIX}_SAMPLE_RATE`, 16_000, 8000, 48_000);
  if (!(PCM_RATES as readonly number[]).includes(sample_rate_hz)) {
    throw new ProviderConfigError(
      `${PREFIX}_SAMPLE_RATE`,
      `one of ${PCM_RATES.join(', ')}`,
      JSON.stringify(String(sample_rate_hz)),
    );
  }
  return withApiKey(
    {
      base_url: base,
      voice_id,
      model,
      sample_rate_hz,
      inactivity_timeout_s: readInteger(env, `${PREFIX}_INACTIVITY_TIMEOUT_S`, 60, 5, 180),
      timeout_ms: readInteger(env, `${PREFIX}_TIMEOUT_MS`, 15_000, 1, 600_000),
      segmenter: readSegmenterOptions(env, PREFIX),
    },
    api_key,
  );
}
