/**
 * The Google Cloud TTS adapter (`tts-google`, REST `text:synthesize` over `fetch`) and its
 * settings from `RSPP_TTS_GOOGLE_*`. Sole entry point of adapters/providers/google-tts.
 */
export { createGoogleTts, type GoogleTtsOptions } from './tts.ts';
export { googleTtsConfigFromEnv, type GoogleTtsConfig } from './config.ts';
