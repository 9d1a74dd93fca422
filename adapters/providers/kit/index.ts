/**
 * What the streaming HTTP provider adapters share, with no knowledge of any one provider (ADR
 * 0038): settings from an environment record, the LLM attempt loop, streaming POSTs with SSE
 * parsing, and the turn context as chat APIs take it; for TTS (ADR 0042) the sentence segmenter,
 * PCM16 decoding, resampling and framing, the TTS attempt loop and byte-stream POSTs; for STT
 * (ADR 0041) the STT attempt loop, WebSocket connections and a stream resampler; for adapters of
 * local programs (ADR 0043) finding, starting and killing them. Sole entry point of
 * adapters/providers/kit.
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
export {
  createSentenceSegmenter,
  readSegmenterOptions,
  type SegmentMode,
  type SegmenterOptions,
  type SentenceSegmenter,
  type TextSegment,
} from './sentences.ts';
export {
  createFrameChunker,
  createPcm16Decoder,
  readWavPcm16,
  type FrameChunker,
  type Pcm16Decoder,
  type WavPcm,
} from './pcm.ts';
export { runTtsAttempt, type TtsAttempt, type TtsAudioEvent } from './tts-attempt.ts';
export { postForBody, readBody, type BodyPost } from './http-audio.ts';
export { readWebSocketUrl } from './env.ts';
export {
  connectWebSocket,
  type WsClosing,
  type WsConnection,
  type WsDial,
  type WsEvent,
} from './ws.ts';
export { runSttAttempt, type SttAttempt, type SttSession, type SttUpdate } from './stt-attempt.ts';
export { createStreamResampler, type StreamResampler } from './resample.ts';
export {
  checkTool,
  createScratchDir,
  findExecutable,
  missingToolMessage,
  startTool,
  type SpawnFunction,
  type ToolLaunch,
  type ToolRun,
  type ToolStatus,
} from './local-tool.ts';
