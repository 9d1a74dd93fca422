/**
 * The offline flite TTS adapter (`tts-flite`, one local process per sentence), its settings from
 * `RSPP_TTS_FLITE_*` and its startup check. Sole entry point of adapters/providers/flite.
 */
export { createFliteTts, type FliteTtsOptions } from './tts.ts';
export { detectFlite, fliteConfigFromEnv, type FliteConfig } from './config.ts';
