/**
 * Settings of the Cohere adapter from the `RSPP_LLM_COHERE_*` variables of
 * spec/providers-transport.md, validated at startup. The endpoint decides the protocol: Cohere's
 * own v2 chat API, or OpenRouter's chat completions (`_OPENROUTER`, also on for an
 * `openrouter.ai` host), the spec's default.
 */
import {
  ProviderConfigError,
  readFlag,
  readInteger,
  readSecret,
  readText,
  readUrl,
  withApiKey,
  type ProviderEnv,
} from '../kit/index.ts';

const PREFIX = 'RSPP_LLM_COHERE';

/** Validated settings; `api_key` is not enumerable. */
export interface CohereConfig {
  /** The full chat URL (`…/v2/chat` or `…/api/v1/chat/completions`). */
  readonly endpoint: URL;
  /** `cohere` (v2 chat) or `openrouter` (OpenAI-style chat completions). */
  readonly protocol: 'cohere' | 'openrouter';
  /** Model id. */
  readonly model: string;
  /** Sent as `Authorization: Bearer`. */
  readonly api_key: string;
  /** `max_tokens`. */
  readonly max_tokens: number;
  /** Wait for the response, then between two events, before an attempt times out. */
  readonly timeout_ms: number;
  /** OpenRouter's `HTTP-Referer`, when set. */
  readonly referer: string | null;
  /** OpenRouter's `X-Title`. */
  readonly title: string;
}

const DEFAULT_ENDPOINT = 'https://openrouter.ai/api/v1/chat/completions';

/** Reads and validates the Cohere settings; throws {@link ProviderConfigError}. */
export function cohereConfigFromEnv(env: ProviderEnv): CohereConfig {
  const api_key = readSecret(env, `${PREFIX}_API_KEY`);
  const endpoint = readUrl(env, `${PREFIX}_ENDPOINT`, DEFAULT_ENDPOINT);
  const openrouter =
    readFlag(env, `${PREFIX}_OPENROUTER`, false) ||
    /(^|\.)openrouter\.ai$/i.test(endpoint.hostname);
  const model = readText(
    env,
    `${PREFIX}_MODEL`,
    openrouter ? 'cohere/command-r-08-2024' : 'command-r-08-2024',
  );
  const referer = readText(env, `${PREFIX}_OPENROUTER_REFERER`, '');
  if (referer !== '' && !URL.canParse(referer)) {
    throw new ProviderConfigError(`${PREFIX}_OPENROUTER_REFERER`, 'a URL', JSON.stringify(referer));
  }
  return withApiKey(
    {
      endpoint,
      protocol: openrouter ? 'openrouter' : 'cohere',
      model,
      max_tokens: readInteger(env, `${PREFIX}_MAX_TOKENS`, 512, 1, 65_536),
      timeout_ms: readInteger(env, `${PREFIX}_TIMEOUT_MS`, 10_000, 1, 600_000),
      referer: referer === '' ? null : referer,
      title: readText(env, `${PREFIX}_OPENROUTER_TITLE`, 'RealtimeSpeechPipeline'),
    },
    api_key,
  );
}
