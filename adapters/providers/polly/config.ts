/**
 * Settings of the Amazon Polly adapter from the `RSPP_TTS_POLLY_*` variables of
 * spec/providers-transport.md, and its AWS credentials from the environment variables of the
 * AWS credential chain (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`),
 * validated at startup. Other links of the chain (profiles, instance metadata) are not read:
 * see ADR 0042.
 */
import {
  ProviderConfigError,
  readInteger,
  readSecret,
  readSegmenterOptions,
  readText,
  readUrl,
  type ProviderEnv,
  type SegmenterOptions,
} from '../kit/index.ts';

const PREFIX = 'RSPP_TTS_POLLY';

/** AWS credentials (never enumerable: they do not show in JSON or logs). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Validated settings; `credentials` is not enumerable. */
export interface PollyConfig {
  /** The `/v1/speech` URL of the region (or the configured endpoint). */
  readonly endpoint: URL;
  /** Signing region. */
  readonly region: string;
  /** `VoiceId`. */
  readonly voice: string;
  /** `Engine`: standard, neural, long-form or generative. */
  readonly engine: string;
  /** `SampleRate` asked for with `OutputFormat: pcm` (8000 or 16000). */
  readonly sample_rate_hz: number;
  /** Longest wait on the provider (input waits excluded) before an attempt times out. */
  readonly timeout_ms: number;
  /** How the reply is cut before synthesis. */
  readonly segmenter: SegmenterOptions;
  /** Signing credentials. */
  readonly credentials: AwsCredentials;
}

const ENGINES = ['standard', 'neural', 'long-form', 'generative'];

/** Reads and validates the Polly settings; throws {@link ProviderConfigError}. */
export function pollyConfigFromEnv(env: ProviderEnv): PollyConfig {
  const accessKeyId = readSecret(env, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = readSecret(env, 'AWS_SECRET_ACCESS_KEY');
  const token = env['AWS_SESSION_TOKEN']?.trim();
  const region = readText(
    env,
    `${PREFIX}_REGION`,
    env['AWS_REGION']?.trim() === undefined || env['AWS_REGION'].trim() === ''
      ? 'us-east-1'
      : env['AWS_REGION'].trim(),
  );
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new ProviderConfigError(
      `${PREFIX}_REGION`,
      'an AWS region such as us-east-1',
      JSON.stringify(region),
    );
  }
  const url = readUrl(env, `${PREFIX}_ENDPOINT`, `https://polly.${region}.amazonaws.com`);
  if (url.search !== '' || url.hash !== '') {
    throw new ProviderConfigError(
      `${PREFIX}_ENDPOINT`,
      'a URL without query or fragment',
      `a URL with ${url.search === '' ? 'a fragment' : 'a query'}`,
    );
  }
  const endpoint = new URL(url);
  if (!endpoint.pathname.endsWith('/v1/speech')) {
    endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, '')}/v1/speech`;
  }
  const engine = readText(env, `${PREFIX}_ENGINE`, 'neural');
  if (!ENGINES.includes(engine)) {
    throw new ProviderConfigError(
      `${PREFIX}_ENGINE`,
      `one of ${ENGINES.join(', ')}`,
      JSON.stringify(engine),
    );
  }
  const sample_rate_hz = readInteger(env, `${PREFIX}_SAMPLE_RATE`, 16_000, 8000, 16_000);
  if (sample_rate_hz !== 8000 && sample_rate_hz !== 16_000) {
    throw new ProviderConfigError(
      `${PREFIX}_SAMPLE_RATE`,
      '8000 or 16000 (the rates of pcm output)',
      JSON.stringify(String(sample_rate_hz)),
    );
  }
  const config = {
    endpoint,
    region,
    voice: readText(env, `${PREFIX}_VOICE`, 'Joanna'),
    engine,
    sample_rate_hz,
    timeout_ms: readInteger(env, `${PREFIX}_TIMEOUT_MS`, 15_000, 1, 600_000),
    segmenter: readSegmenterOptions(env, PREFIX),
  };
  const credentials: AwsCredentials = {
    accessKeyId,
    secretAccessKey,
    ...(token === undefined || token === '' ? {} : { sessionToken: token }),
  };
  // Not enumerable: a config printed or serialized never shows the credentials.
  return Object.defineProperty(config, 'credentials', {
    value: credentials,
    enumerable: false,
  }) as PollyConfig;
}
