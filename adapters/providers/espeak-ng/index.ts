/**
 * The offline espeak-ng TTS adapter (`tts-espeak-ng`, one local process per sentence), its
 * settings from `RSPP_TTS_ESPEAK_NG_*` and its startup check. Sole entry point of
 * adapters/providers/espeak-ng.
 */
export { createEspeakNgTts, type EspeakNgTtsOptions } from './tts.ts';
export { detectEspeakNg, espeakNgConfigFromEnv, type EspeakNgConfig } from './config.ts';
