/**
 * Settings of the Gemini adapter from the `RSPP_LLM_GEMINI_*` variables of
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

/** Prefix of every variable. */
const PREFIX = 'RSPP_LLM_GEMINI';

/** Validated settings; `api_key` is not enumerable. */
export interface GeminiConfig {
  /** API root up to the version, e.g. `https://generativelanguage.googleapis.com/v1beta`. */
  readonly base_url: URL;
  /** Model id (`models/<model>`). */
  readonly model: string;
  /** Sent in `x-goog-api-key`. */
  readonly api_key: string;
  /** `generationConfig.maxOutputTokens`. */
  readonly max_output_tokens: number;
  /** Wait for the response, then between two events, before an attempt times out. */
  readonly timeout_ms: number;
}

const DEFAULT_BASE = 'https://generativelanguage.googleapis.com/v1beta';
const DEFAULT_MODEL = 'gemini-2.0-flash';
/** The spec's full method URL (`…/models/<model>:generateContent`): base and model are taken from it. */
const METHOD_URL = /^(.*)\/models\/([^/:]+):(?:stream)?[gG]enerateContent$/;

/** Reads and validates the Gemini settings; throws {@link ProviderConfigError}. */
export function geminiConfigFromEnv(env: ProviderEnv): GeminiConfig {
  const api_key = readSecret(env, `${PREFIX}_API_KEY`);
  const url = readUrl(env, `${PREFIX}_ENDPOINT`, DEFAULT_BASE);
  if (url.search !== '' || url.hash !== '') {
    throw new ProviderConfigError(
      `${PREFIX}_ENDPOINT`,
      'a URL without query or fragment (the key goes in a header)',
      `a URL with ${url.search === '' ? 'a fragment' : 'a query'}`,
    );
  }
  const method = METHOD_URL.exec(url.pathname);
  const base = new URL(url);
  base.pathname = (method?.[1] ?? url.pathname).replace(/\/+$/, '');
  const model = readText(env, `${PREFIX}_MODEL`, method?.[2] ?? DEFAULT_MODEL);
  if (!/^[\w.-]+$/.test(model)) {
    throw new ProviderConfigError(
      `${PREFIX}_MODEL`,
      'a model id ([A-Za-z0-9_.-]+)',
      JSON.stringify(model),
    );
  }
  return withApiKey(
    {
      base_url: base,
      model,
      max_output_tokens: readInteger(env, `${PREFIX}_MAX_TOKENS`, 512, 1, 65_536),
      timeout_ms: readInteger(env, `${PREFIX}_TIMEOUT_MS`, 10_000, 1, 600_000),
    },
    api_key,
  );
}
