import { describe, expect, it } from 'vitest';
import { createStreamResampler } from './resample.ts';

/** 1 s of a tone at `rate`, cut into frames of `frame_ms`. */
function toneFrames(rate: number, hz: number, frame_ms: number): Int16Array[] {
  const size = (rate * frame_ms) / 1000;
  const all = Int16Array.from({ length: rate }, (_, i) =>
    Math.round(16_000 * Math.sin((2 * Math.PI * hz * i) / rate)),
  );
  return Array.from({ length: rate / size }, (_, f) => all.slice(f * size, (f + 1) * size));
}

function convert(frames: readonly Int16Array[], from: number, to: number): Int16Array {
  const resampler = createStreamResampler(to);
  const parts = [...frames.map((frame) => resampler.push(frame, from)), resampler.flush()];
  return Int16Array.from(parts.flatMap((part) => [...part]));
}

/** Signal-to-error ratio (dB) against the ideal tone at `rate`, edges left out. */
function snr(out: Int16Array, rate: number, hz: number): number {
  let signal = 0;
  let error = 0;
  for (let i = 100; i < out.length - 100; i += 1) {
    const ideal = 16_000 * Math.sin((2 * Math.PI * hz * i) / rate);
    signal += ideal * ideal;
    error += ((out[i] ?? 0) - ideal) ** 2;
  }
  return 10 * Math.log10(signal / error);
}

describe('createStreamResampler', () => {
  it.each([
    [48_000, 20, 80],
    [44_100, 20, 80],
    [22_050, 10, 60],
    [8_000, 20, 40],
  ])(
    'converts %i Hz frames of %i ms to 16 kHz as one continuous signal (SNR > %i dB)',
    (from, frame_ms, db) => {
      const out = convert(toneFrames(from, 1_000, frame_ms), from, 16_000);
      expect(out.length).toBe(16_000);
      expect(snr(out, 16_000, 1_000)).toBeGreaterThan(db);
    },
  );

  it('filters out what 16 kHz cannot carry instead of folding it back (no aliasing)', () => {
    const out = convert(toneFrames(48_000, 12_000, 20), 48_000, 16_000);
    const rms = Math.sqrt(out.reduce((sum, s) => sum + s * s, 0) / out.length);
    // The input's RMS is 11 314; an aliased 4 kHz image would keep most of it.
    expect(rms).toBeLessThan(500);
  });

  it('passes frames at the target rate through unchanged and restarts on a rate change', () => {
    const resampler = createStreamResampler(16_000);
    const frame = Int16Array.from({ length: 320 }, (_, i) => i);
    expect(resampler.push(frame, 16_000)).toBe(frame);
    const held = resampler.push(new Int16Array(960).fill(1_000), 48_000);
    // A switch back flushes what the 48 kHz stream held, then passes the frame.
    const mixed = resampler.push(frame, 16_000);
    expect(held.length + mixed.length).toBe(320 + 320);
    expect(mixed.subarray(mixed.length - 320)).toEqual(frame);
    expect(resampler.flush()).toHaveLength(0);
  });
});
