/**
 * The Deepgram streaming STT adapter (`stt-deepgram`, live WebSocket protocol) and its settings
 * from `RSPP_STT_DEEPGRAM_*`. Sole entry point of adapters/providers/deepgram.
 */
export { createDeepgramStt, type DeepgramSttOptions } from './stt.ts';
export { deepgramConfigFromEnv, type DeepgramConfig } from './config.ts';
