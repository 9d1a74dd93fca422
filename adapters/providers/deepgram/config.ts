/**
 * Settings of the Deepgram adapter from the `RSPP_STT_DEEPGRAM_*` variables of
 * spec/providers-transport.md, validated at startup.
 */
import {
  ProviderConfigError,
  readInteger,
  readSecret,
  readText,
  readWebSocketUrl,
  withApiKey,
  type ProviderEnv,
} from '../kit/index.ts';

const PREFIX = 'RSPP_STT_DEEPGRAM';

/** Validated settings; `api_key` is not enumerable. */
export interface DeepgramConfig {
  /** The live streaming URL without query (`wss://api.deepgram.com/v1/listen`). */
  readonly url: URL;
  /** Model (`model=`). */
  readonly model: string;
  /** BCP-47 language (`language=`). */
  readonly language: string;
  /** Rate the session is opened at; other input rates are resampled to it. */
  readonly sample_rate_hz: number;
  /** Sent as `Authorization: Token <key>`. */
  readonly api_key: string;
  /** Longest time with neither audio sent nor a message received before an attempt times out. */
  readonly timeout_ms: number;
}

const DEFAULT_ENDPOINT = 'https://api.deepgram.com/v1/listen';

const checked = (name: string, value: string, pattern: RegExp, expected: string) => {
  if (!pattern.test(value)) throw new ProviderConfigError(name, expected, JSON.stringify(value));
  return value;
};

/** Reads and validates the Deepgram settings; throws {@link ProviderConfigError}. */
export function deepgramConfigFromEnv(env: ProviderEnv): DeepgramConfig {
  const api_key = readSecret(env, `${PREFIX}_API_KEY`);
  return withApiKey(
    {
      // The spec's `https://…/v1/listen` is the same route as the live `wss://…/v1/listen`.
      url: readWebSocketUrl(env, `${PREFIX}_ENDPOINT`, DEFAULT_ENDPOINT),
      model: checked(
        `${PREFIX}_MODEL`,
        readText(env, `${PREFIX}_MODEL`, 'nova-2'),
        /^[\w.-]+$/,
        'a model id ([A-Za-z0-9_.-]+)',
      ),
      language: checked(
        `${PREFIX}_LANGUAGE`,
        readText(env, `${PREFIX}_LANGUAGE`, 'en-US'),
        /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/,
        'a BCP-47 language tag',
      ),
      sample_rate_hz: readInteger(env, `${PREFIX}_SAMPLE_RATE`, 16_000, 8_000, 48_000),
      timeout_ms: readInteger(env, `${PREFIX}_TIMEOUT_MS`, 10_000, 1, 600_000),
    },
    api_key,
  );
}
