// Live smoke tests of the cloud LLM adapters against the real services. Each runs only when
// RSPP_LIVE_PROVIDER_SMOKE=1 and the provider's key variable are set (the loopback guard refuses
// every other host), so CI never needs them; vitest reports them apart, as skipped, otherwise.
import { describe, expect, it } from 'vitest';
import { invokeProvider, type LlmChunk, type LlmPort } from '../../contracts/index.ts';
import type { ProviderEnv } from '../../adapters/providers/kit/index.ts';
import {
  anthropicConfigFromEnv,
  createAnthropicLlm,
} from '../../adapters/providers/anthropic/index.ts';
import { cohereConfigFromEnv, createCohereLlm } from '../../adapters/providers/cohere/index.ts';
import { createGeminiLlm, geminiConfigFromEnv } from '../../adapters/providers/gemini/index.ts';
import { createRealScheduler } from '../../adapters/providers/sim/index.ts';
import { allowLiveHosts } from '../harness/loopback-guard.ts';
import { attemptFields, fromArray, requestOf } from '../conformance/providers/fixtures.ts';

const env: ProviderEnv = process.env;
const live = (keyVariable: string) =>
  env['RSPP_LIVE_PROVIDER_SMOKE'] === '1' && (env[keyVariable] ?? '') !== '';

const targets = [
  {
    key: 'RSPP_LLM_ANTHROPIC_API_KEY',
    create: () =>
      createAnthropicLlm({ config: anthropicConfigFromEnv(env), scheduler: createRealScheduler() }),
    host: () => anthropicConfigFromEnv(env).base_url.hostname,
  },
  {
    key: 'RSPP_LLM_GEMINI_API_KEY',
    create: () =>
      createGeminiLlm({ config: geminiConfigFromEnv(env), scheduler: createRealScheduler() }),
    host: () => geminiConfigFromEnv(env).base_url.hostname,
  },
  {
    key: 'RSPP_LLM_COHERE_API_KEY',
    create: () =>
      createCohereLlm({ config: cohereConfigFromEnv(env), scheduler: createRealScheduler() }),
    host: () => cohereConfigFromEnv(env).endpoint.hostname,
  },
] as const;

for (const target of targets) {
  describe.runIf(live(target.key))(`live: ${target.key.replace(/_API_KEY$/, '')}`, () => {
    it('streams a short reply to a two-role history with a system prompt', async () => {
      allowLiveHosts([target.host()]);
      const llm: LlmPort = target.create();
      const collected: LlmChunk[] = [];
      const settled = await invokeProvider(
        llm,
        requestOf(
          attemptFields('llm', llm.capabilities.provider_id),
          fromArray([
            { type: 'message', role: 'system', text: 'Answer in one short sentence.' },
            { type: 'message', role: 'user', text: 'Name a colour.' },
            { type: 'message', role: 'assistant', text: 'Blue.' },
            { type: 'message', role: 'user', text: 'Name another one.' },
          ] as const),
          new AbortController().signal,
        ),
        (chunk) => void collected.push(chunk),
      );
      expect(settled.error).toBeNull();
      expect(settled.outcome.class).toBe('success');
      expect(collected.length).toBeGreaterThan(0);
    });
  });
}
