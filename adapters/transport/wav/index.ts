/**
 * The wav transport: reads a WAV file (RIFF chunks walked, any common PCM or float format, mixed
 * to mono and resampled to 16 kHz) as 20 ms frames with voice-activity-gated ingress events, and
 * lays the agent's audio out on the input's timeline for an output WAV. Sole entry point of
 * adapters/transport/wav.
 */
export { decodeWav, PIPELINE_RATE_HZ, type DecodedWav } from './decode.ts';
export { encodeWav } from './encode.ts';
export { resamplePcm16 } from './resample.ts';
export { readWavLayout, type WavEncoding, type WavLayout } from './riff.ts';
export { createWavSource, FRAME_MS, type WavSource, type WavSourceOptions } from './source.ts';
export { createOutputTimeline, type OutputTimeline } from './timeline.ts';
export { createEnergyVad, levelDbfs, type EnergyVad, type VadOptions } from '../core/index.ts';
export { WavFormatError } from './wav-error.ts';
