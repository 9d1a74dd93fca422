/**
 * Settings of the Anthropic adapter from the `RSPP_LLM_ANTHROPIC_*` variables of
 * spec/providers-transport.md, validated at startup.
 */
import {
  ProviderConfigError,
  readInteger,
  readSecret,
  readText,
  readUrl,
  withApiKey,
  type ProviderEnv,
} from '../kit/index.ts';

const PREFIX = 'RSPP_LLM_ANTHROPIC';

/** Validated settings; `api_key` is not enumerable. */
export interface AnthropicConfig {
  /** API root the SDK appends `/v1/messages` to. */
  readonly base_url: URL;
  /** Model id. */
  readonly model: string;
  /** Sent in `x-api-key`. */
  readonly api_key: string;
  /** Sent in `anthropic-version`. */
  readonly version: string;
  /** `max_tokens`. */
  readonly max_tokens: number;
  /** Wait for the response, then between two events, before an attempt times out. */
  readonly timeout_ms: number;
}

const DEFAULT_ENDPOINT = 'https://api.anthropic.com/v1/messages';

/** Reads and validates the Anthropic settings; throws {@link ProviderConfigError}. */
export function anthropicConfigFromEnv(env: ProviderEnv): AnthropicConfig {
  const api_key = readSecret(env, `${PREFIX}_API_KEY`);
  const endpoint = readUrl(env, `${PREFIX}_ENDPOINT`, DEFAULT_ENDPOINT);
  if (endpoint.search !== '' || endpoint.hash !== '') {
    throw new ProviderConfigError(
      `${PREFIX}_ENDPOINT`,
      'a URL without query or fragment',
      JSON.stringify(endpoint.href),
    );
  }
  // The spec names the method URL; the SDK wants the root it appends `/v1/messages` to.
  const base = new URL(endpoint);
  base.pathname = endpoint.pathname.replace(/\/v1\/messages\/?$/, '').replace(/\/+$/, '');
  const version = readText(env, `${PREFIX}_VERSION`, '2023-06-01');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) {
    throw new ProviderConfigError(
      `${PREFIX}_VERSION`,
      'a date YYYY-MM-DD',
      JSON.stringify(version),
    );
  }
  return withApiKey(
    {
      base_url: base,
      model: readText(env, `${PREFIX}_MODEL`, 'claude-3-5-haiku-latest'),
      version,
      max_tokens: readInteger(env, `${PREFIX}_MAX_TOKENS`, 512, 1, 65_536),
      timeout_ms: readInteger(env, `${PREFIX}_TIMEOUT_MS`, 10_000, 1, 600_000),
    },
    api_key,
  );
}
