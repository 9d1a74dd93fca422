/**
 * The AssemblyAI streaming STT adapter (`stt-assemblyai`, v3 Universal Streaming WebSocket) and
 * its settings from `RSPP_STT_ASSEMBLYAI_*`. Sole entry point of adapters/providers/assemblyai.
 */
export { createAssemblyAiStt, type AssemblyAiSttOptions } from './stt.ts';
export { assemblyAiConfigFromEnv, type AssemblyAiConfig } from './config.ts';
