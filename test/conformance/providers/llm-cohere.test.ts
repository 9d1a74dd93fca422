// The Cohere adapter against loopback fakes of both its protocols (Cohere v2 chat and
// OpenRouter chat completions; the LLM port conformance suite), plus its settings from
// RSPP_LLM_COHERE_*.
import { describe, expect, it } from 'vitest';
import { cohereConfigFromEnv, createCohereLlm } from '../../../adapters/providers/cohere/index.ts';
import { cohereProtocol, openRouterProtocol } from '../../harness/provider-fakes/cohere.ts';
import { defineLlmPortConformance } from './llm-port-conformance.ts';

for (const [name, protocol] of [
  ['llm-cohere (Cohere v2 chat)', cohereProtocol],
  ['llm-cohere (OpenRouter chat completions)', openRouterProtocol],
] as const) {
  defineLlmPortConformance({
    name,
    provider_id: 'llm-cohere',
    protocol,
    create: (env, scheduler) => createCohereLlm({ config: cohereConfigFromEnv(env), scheduler }),
    timeout_ms: 10_000,
  });
}

describe('cohereConfigFromEnv', () => {
  const key = 'co-secret-value';

  it("defaults to the spec's OpenRouter endpoint, model and title", () => {
    const config = cohereConfigFromEnv({ RSPP_LLM_COHERE_API_KEY: key });
    expect(config).toMatchObject({
      protocol: 'openrouter',
      model: 'cohere/command-r-08-2024',
      title: 'RealtimeSpeechPipeline',
      referer: null,
      timeout_ms: 10_000,
    });
    expect(config.endpoint.href).toBe('https://openrouter.ai/api/v1/chat/completions');
    expect(JSON.stringify(config)).not.toContain(key);
  });

  it('speaks Cohere v2 to another host unless RSPP_LLM_COHERE_OPENROUTER is on', () => {
    const env = {
      RSPP_LLM_COHERE_API_KEY: key,
      RSPP_LLM_COHERE_ENDPOINT: 'https://api.cohere.com/v2/chat',
    };
    expect(cohereConfigFromEnv(env)).toMatchObject({
      protocol: 'cohere',
      model: 'command-r-08-2024',
    });
    expect(cohereConfigFromEnv({ ...env, RSPP_LLM_COHERE_OPENROUTER: 'true' }).protocol).toBe(
      'openrouter',
    );
  });

  it.each([
    [{}, 'RSPP_LLM_COHERE_API_KEY: expected a non-empty API key, received unset'],
    [
      { RSPP_LLM_COHERE_API_KEY: key, RSPP_LLM_COHERE_OPENROUTER: 'maybe' },
      'RSPP_LLM_COHERE_OPENROUTER: expected one of 1, true, yes, on, 0, false, no, off, received "maybe"',
    ],
    [
      { RSPP_LLM_COHERE_API_KEY: key, RSPP_LLM_COHERE_ENDPOINT: 'not a url' },
      'RSPP_LLM_COHERE_ENDPOINT: expected an http(s) URL, received "not a url"',
    ],
    [
      { RSPP_LLM_COHERE_API_KEY: key, RSPP_LLM_COHERE_OPENROUTER_REFERER: 'nope' },
      'RSPP_LLM_COHERE_OPENROUTER_REFERER: expected a URL, received "nope"',
    ],
    [
      { RSPP_LLM_COHERE_API_KEY: key, RSPP_LLM_COHERE_MAX_TOKENS: '-1' },
      'RSPP_LLM_COHERE_MAX_TOKENS: expected an integer from 1 to 65536, received "-1"',
    ],
  ])('refuses %j naming variable, expected and received', (env, message) => {
    expect(() => cohereConfigFromEnv(env)).toThrow(message);
  });
});
