/**
 * The Anthropic streaming LLM adapter (`llm-anthropic`, official SDK) and its settings from
 * `RSPP_LLM_ANTHROPIC_*`. Sole entry point of adapters/providers/anthropic.
 */
export { createAnthropicLlm, type AnthropicLlmOptions } from './llm.ts';
export { anthropicConfigFromEnv, type AnthropicConfig } from './config.ts';
