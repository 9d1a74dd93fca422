/**
 * Reads an input WAV file into what the pipeline takes: 16 kHz mono PCM16 (any common PCM or
 * float width and rate, channels mixed down, resampled), with the facts of the source format.
 */
import { readWavLayout, type WavEncoding } from './riff.ts';
import { toPcm16 } from './resample.ts';
import { monoSamples } from './samples.ts';

/** The pipeline's audio rate. */
export const PIPELINE_RATE_HZ = 16_000;

/** A decoded input file. */
export type DecodedWav = {
  /** PCM16 mono at {@link PIPELINE_RATE_HZ}. */
  readonly pcm: Int16Array;
  readonly sample_rate_hz: number;
  /** The source format, for a summary line (no content). */
  readonly source: {
    readonly encoding: WavEncoding;
    readonly channels: number;
    readonly sample_rate_hz: number;
    readonly bits_per_sample: number;
    readonly duration_ms: number;
  };
};

/** Decodes a WAVE file, or throws `WavFormatError` naming the field at fault. */
export function decodeWav(bytes: Uint8Array): DecodedWav {
  const layout = readWavLayout(bytes);
  const mono = monoSamples(bytes, layout);
  return {
    pcm: toPcm16(mono, layout.sample_rate_hz, PIPELINE_RATE_HZ),
    sample_rate_hz: PIPELINE_RATE_HZ,
    source: {
      encoding: layout.encoding,
      channels: layout.channels,
      sample_rate_hz: layout.sample_rate_hz,
      bits_per_sample: layout.bits_per_sample,
      duration_ms: (mono.length * 1000) / layout.sample_rate_hz,
    },
  };
}
