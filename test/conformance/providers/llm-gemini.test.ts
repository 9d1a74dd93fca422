// The Gemini adapter against its loopback fake (the LLM port conformance suite), plus its
// settings from RSPP_LLM_GEMINI_*.
import { describe, expect, it } from 'vitest';
import { createGeminiLlm, geminiConfigFromEnv } from '../../../adapters/providers/gemini/index.ts';
import { createZeroLatencyScheduler } from '../../../adapters/providers/sim/index.ts';
import { geminiProtocol } from '../../harness/provider-fakes/gemini.ts';
import { defineLlmPortConformance } from './llm-port-conformance.ts';

defineLlmPortConformance({
  name: 'llm-gemini (streamGenerateContent, SSE)',
  provider_id: 'llm-gemini',
  protocol: geminiProtocol,
  create: (env, scheduler) => createGeminiLlm({ config: geminiConfigFromEnv(env), scheduler }),
  timeout_ms: 10_000,
});

describe('geminiConfigFromEnv', () => {
  const key = 'AIza-secret-value';

  it('applies the defaults of the spec around the key', () => {
    const config = geminiConfigFromEnv({ RSPP_LLM_GEMINI_API_KEY: key });
    expect(config.base_url.href).toBe('https://generativelanguage.googleapis.com/v1beta');
    expect([config.model, config.max_output_tokens, config.timeout_ms]).toEqual([
      'gemini-2.0-flash',
      512,
      10_000,
    ]);
    expect(JSON.stringify(config)).not.toContain(key);
    expect(config.api_key).toBe(key);
  });

  it("takes base and model from the spec's full generateContent URL", () => {
    const config = geminiConfigFromEnv({
      RSPP_LLM_GEMINI_API_KEY: key,
      RSPP_LLM_GEMINI_ENDPOINT:
        'https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-flash:generateContent',
    });
    expect([config.base_url.href, config.model]).toEqual([
      'https://generativelanguage.googleapis.com/v1beta',
      'gemini-1.5-flash',
    ]);
  });

  it.each([
    [{}, 'RSPP_LLM_GEMINI_API_KEY: expected a non-empty API key, received unset'],
    [
      { RSPP_LLM_GEMINI_API_KEY: ' ' },
      'RSPP_LLM_GEMINI_API_KEY: expected a non-empty API key, received empty',
    ],
    [
      { RSPP_LLM_GEMINI_API_KEY: key, RSPP_LLM_GEMINI_ENDPOINT: 'ftp://host' },
      'RSPP_LLM_GEMINI_ENDPOINT: expected an http(s) URL with a host, received "ftp://host"',
    ],
    [
      { RSPP_LLM_GEMINI_API_KEY: key, RSPP_LLM_GEMINI_ENDPOINT: 'https://h/v1beta?key=x' },
      'RSPP_LLM_GEMINI_ENDPOINT: expected a URL without query or fragment (the key goes in a header), received a URL with a query',
    ],
    [
      { RSPP_LLM_GEMINI_API_KEY: key, RSPP_LLM_GEMINI_TIMEOUT_MS: '0' },
      'RSPP_LLM_GEMINI_TIMEOUT_MS: expected an integer from 1 to 600000, received "0"',
    ],
    [
      { RSPP_LLM_GEMINI_API_KEY: key, RSPP_LLM_GEMINI_MODEL: 'a/b' },
      'RSPP_LLM_GEMINI_MODEL: expected a model id ([A-Za-z0-9_.-]+), received "a/b"',
    ],
  ])('refuses %j naming variable, expected and received', (env, message) => {
    expect(() => geminiConfigFromEnv(env)).toThrow(message);
  });

  it('never repeats the key in a refusal', () => {
    expect(() => geminiConfigFromEnv({ RSPP_LLM_GEMINI_API_KEY: 'sec ret' })).toThrow(
      'RSPP_LLM_GEMINI_API_KEY: expected a key without whitespace, received 7 characters with whitespace',
    );
  });

  it('builds an adapter that does nothing before the first next()', () => {
    const llm = createGeminiLlm({
      config: geminiConfigFromEnv({ RSPP_LLM_GEMINI_API_KEY: key }),
      scheduler: createZeroLatencyScheduler(),
    });
    expect(llm.capabilities.provider_id).toBe('llm-gemini');
  });
});
