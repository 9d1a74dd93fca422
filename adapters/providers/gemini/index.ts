/**
 * The Gemini streaming LLM adapter (`llm-gemini`) and its settings from `RSPP_LLM_GEMINI_*`.
 * Sole entry point of adapters/providers/gemini.
 */
export { createGeminiLlm, type GeminiLlmOptions } from './llm.ts';
export { geminiConfigFromEnv, type GeminiConfig } from './config.ts';
