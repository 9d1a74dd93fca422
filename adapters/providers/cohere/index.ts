/**
 * The Cohere streaming LLM adapter (`llm-cohere`; Cohere v2 chat or OpenRouter) and its settings
 * from `RSPP_LLM_COHERE_*`. Sole entry point of adapters/providers/cohere.
 */
export { createCohereLlm, type CohereLlmOptions } from './llm.ts';
export { cohereConfigFromEnv, type CohereConfig } from './config.ts';
