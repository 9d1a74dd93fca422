/**
 * The ElevenLabs streaming TTS adapter (`tts-elevenlabs`, stream-input WebSocket over `ws`) and
 * its settings from `RSPP_TTS_ELEVENLABS_*`. Sole entry point of adapters/providers/elevenlabs.
 */
export { createElevenLabsTts, type ElevenLabsTtsOptions } from './tts.ts';
export { elevenLabsConfigFromEnv, type ElevenLabsConfig } from './config.ts';
