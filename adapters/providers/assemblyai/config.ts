/**
 * Settings of the AssemblyAI adapter from the `RSPP_STT_ASSEMBLYAI_*` variables of
 * spec/providers-transport.md, validated at startup.
 */
import {
  ProviderConfigError,
  readFlag,
  readInteger,
  readSecret,
  readText,
  readWebSocketUrl,
  withApiKey,
  type ProviderEnv,
} from '../kit/index.ts';

const PREFIX = 'RSPP_STT_ASSEMBLYAI';

/** Validated settings; `api_key` is not enumerable. */
export interface AssemblyAiConfig {
  /** The v3 streaming URL without query (`wss://streaming.assemblyai.com/v3/ws`). */
  readonly url: URL;
  /** `speech_model=`. */
  readonly speech_model: string;
  /** Whether finished turns are sent again punctuated and cased (`format_turns=`). */
  readonly format_turns: boolean;
  /** Rate the session is opened at; other input rates are resampled to it. */
  readonly sample_rate_hz: number;
  /** Sent as `Authorization: <key>`. */
  readonly api_key: string;
  /** Longest time with neither audio sent nor a message received before an attempt times out. */
  readonly timeout_ms: number;
}

const DEFAULT_ENDPOINT = 'wss://streaming.assemblyai.com/v3/ws';

/** Reads and validates the AssemblyAI settings; throws {@link ProviderConfigError}. */
export function assemblyAiConfigFromEnv(env: ProviderEnv): AssemblyAiConfig {
  const api_key = readSecret(env, `${PREFIX}_API_KEY`);
  const url = readWebSocketUrl(env, `${PREFIX}_ENDPOINT`, DEFAULT_ENDPOINT);
  // The spec's probe used the batch route; streaming is another host and protocol.
  if (/\/v2\/transcript\/?$/.test(url.pathname)) {
    throw new ProviderConfigError(
      `${PREFIX}_ENDPOINT`,
      `the v3 streaming URL (${DEFAULT_ENDPOINT})`,
      'the v2 batch route /v2/transcript',
    );
  }
  const speech_model = readText(env, `${PREFIX}_SPEECH_MODEL`, 'universal-streaming-english');
  if (!/^[\w.-]+$/.test(speech_model)) {
    throw new ProviderConfigError(
      `${PREFIX}_SPEECH_MODEL`,
      'a model id ([A-Za-z0-9_.-]+)',
      JSON.stringify(speech_model),
    );
  }
  return withApiKey(
    {
      url,
      speech_model,
      format_turns: readFlag(env, `${PREFIX}_FORMAT_TURNS`, true),
      sample_rate_hz: readInteger(env, `${PREFIX}_SAMPLE_RATE`, 16_000, 8_000, 48_000),
      timeout_ms: readInteger(env, `${PREFIX}_TIMEOUT_MS`, 10_000, 1, 600_000),
    },
    api_key,
  );
}
