/**
 * Seeded STT, LLM and TTS sims with injectable time and faults, and the schedulers they wait on
 * (real, manual, zero-latency). Sole entry point of adapters/providers/sim.
 */
export { createSimStt, sttChunks, type SimSttOptions } from './stt.ts';
export { createSimLlm, llmReply, type SimLlmOptions } from './llm.ts';
export { createSimTts, ttsFrames, type SimTtsOptions } from './tts.ts';
export {
  createManualScheduler,
  createRealScheduler,
  createZeroLatencyScheduler,
  type ManualScheduler,
} from './scheduler.ts';
export type { SimFault, SimFaultPlan, SimOptions } from './engine.ts';
export { hashSeed, mulberry32, seededRandom, type SimSeed } from './prng.ts';
