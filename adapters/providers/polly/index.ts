/**
 * The Amazon Polly adapter (`tts-amazon-polly`, REST `SynthesizeSpeech` signed with SigV4) and
 * its settings from `RSPP_TTS_POLLY_*` and the AWS credential variables. Sole entry point of
 * adapters/providers/polly.
 */
export { createPollyTts, type PollyTtsOptions } from './tts.ts';
export { pollyConfigFromEnv, type AwsCredentials, type PollyConfig } from './config.ts';
