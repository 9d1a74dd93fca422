/**
 * What the streaming HTTP provider adapters share, with no knowledge of any one provider (ADR
 * 0038): settings from an environment record, the LLM attempt loop, streaming POSTs with SSE
 * parsing, and the turn context as chat APIs take it. Sole entry point of adapters/providers/kit.
 */
export {
  ProviderConfigError,
  readFlag,
  readInteger,
  readSecret,
  readText,
  readUrl,
  withApiKey,
  type ProviderEnv,
} from './env.ts';
export { runLlmAttempt, splitDelta, type LlmAttempt } from './llm-attempt.ts';
export { parseEventJson, postForEvents, sseEvents, type SseEvent, type SsePost } from './http.ts';
export {
  INTERRUPTED_MARK,
  chatContext,
  type ChatContext,
  type DialogueMessage,
} from './context.ts';
