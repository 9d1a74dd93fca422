// The Anthropic adapter (official SDK) against its loopback fake (the LLM port conformance
// suite), plus its settings from RSPP_LLM_ANTHROPIC_*.
import { describe, expect, it } from 'vitest';
import {
  anthropicConfigFromEnv,
  createAnthropicLlm,
} from '../../../adapters/providers/anthropic/index.ts';
import { anthropicProtocol } from '../../harness/provider-fakes/anthropic.ts';
import { defineLlmPortConformance } from './llm-port-conformance.ts';

defineLlmPortConformance({
  name: 'llm-anthropic (Messages streaming, official SDK)',
  provider_id: 'llm-anthropic',
  protocol: anthropicProtocol,
  create: (env, scheduler) =>
    createAnthropicLlm({ config: anthropicConfigFromEnv(env), scheduler }),
  timeout_ms: 10_000,
});

describe('anthropicConfigFromEnv', () => {
  const key = 'sk-ant-secret-value';

  it("applies the spec's defaults and turns its method URL into the SDK's root", () => {
    const config = anthropicConfigFromEnv({ RSPP_LLM_ANTHROPIC_API_KEY: key });
    expect(config.base_url.href).toBe('https://api.anthropic.com/');
    expect(config).toMatchObject({
      model: 'claude-3-5-haiku-latest',
      version: '2023-06-01',
      max_tokens: 512,
      timeout_ms: 10_000,
    });
    expect(JSON.stringify(config)).not.toContain(key);
  });

  it.each([
    [{}, 'RSPP_LLM_ANTHROPIC_API_KEY: expected a non-empty API key, received unset'],
    [
      { RSPP_LLM_ANTHROPIC_API_KEY: key, RSPP_LLM_ANTHROPIC_VERSION: 'latest' },
      'RSPP_LLM_ANTHROPIC_VERSION: expected a date YYYY-MM-DD, received "latest"',
    ],
    [
      { RSPP_LLM_ANTHROPIC_API_KEY: key, RSPP_LLM_ANTHROPIC_ENDPOINT: 'https://u:p@h/v1/messages' },
      'RSPP_LLM_ANTHROPIC_ENDPOINT: expected a URL without credentials, received a URL with user info',
    ],
    [
      { RSPP_LLM_ANTHROPIC_API_KEY: key, RSPP_LLM_ANTHROPIC_TIMEOUT_MS: '10s' },
      'RSPP_LLM_ANTHROPIC_TIMEOUT_MS: expected an integer from 1 to 600000, received "10s"',
    ],
  ])('refuses %j naming variable, expected and received', (env, message) => {
    expect(() => anthropicConfigFromEnv(env)).toThrow(message);
  });
});
