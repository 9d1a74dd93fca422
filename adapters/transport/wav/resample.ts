/**
 * Rate conversion through `wave-resampler` (cubic interpolation, with its anti-aliasing IIR
 * low-pass filter), then PCM16 quantization with the scale the reader uses (x 32768), so a
 * 16-bit file at the pipeline rate passes bit-exact.
 */
import waveResampler from 'wave-resampler';

/** Mono float samples at `from_hz` as PCM16 samples at `to_hz`. */
export function toPcm16(samples: Float32Array, from_hz: number, to_hz: number): Int16Array {
  const resampled =
    from_hz === to_hz || samples.length === 0
      ? samples
      : waveResampler.resample(samples, from_hz, to_hz);
  // Clipped here: a float file (or the filter's overshoot) may pass full scale.
  return Int16Array.from({ length: resampled.length }, (_, i) =>
    Math.max(-32_768, Math.min(32_767, Math.round((resampled[i] ?? 0) * 32_768))),
  );
}

/** PCM16 mono samples at `from_hz` converted to `to_hz` (returned as is when equal). */
export function resamplePcm16(pcm: Int16Array, from_hz: number, to_hz: number): Int16Array {
  if (from_hz === to_hz) return pcm;
  return toPcm16(
    Float32Array.from(pcm, (s) => s / 32_768),
    from_hz,
    to_hz,
  );
}
