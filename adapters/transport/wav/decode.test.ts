import { describe, expect, it } from 'vitest';
import { buildWav, tone } from './build.ts';
import { decodeWav } from './decode.ts';
import { encodeWav } from './encode.ts';
import { readWavLayout } from './riff.ts';
import { monoSamples } from './samples.ts';

/** Sign changes per second of `pcm` at 16 kHz, halved: the frequency of a pure tone. */
function frequency(pcm: Int16Array): number {
  let crossings = 0;
  for (let i = 1; i < pcm.length; i += 1) {
    if ((pcm[i - 1] ?? 0) < 0 !== (pcm[i] ?? 0) < 0) crossings += 1;
  }
  return crossings / 2 / (pcm.length / 16_000);
}

const levels = [0, 0.5, -0.5, 0.25];

describe('decodeWav', () => {
  it.each([
    [8, 'pcm'],
    [16, 'pcm'],
    [24, 'pcm'],
    [32, 'pcm'],
    [32, 'float'],
    [64, 'float'],
    [24, 'extensible-pcm'],
    [32, 'extensible-float'],
  ] as const)('reads %i-bit %s samples at full scale', (bits, encoding) => {
    const bytes = buildWav({
      sample_rate_hz: 16_000,
      bits_per_sample: bits,
      encoding,
      channels: [levels],
    });
    const floats = monoSamples(bytes, readWavLayout(bytes));
    levels.forEach((level, i) => expect(floats[i]).toBeCloseTo(level, 1));
    const { pcm, source } = decodeWav(bytes);
    expect(Array.from(pcm).map((s) => Math.round(s / 1638))).toEqual([0, 10, -10, 5]);
    expect(source).toMatchObject({ bits_per_sample: bits, channels: 1, sample_rate_hz: 16_000 });
  });

  it('mixes stereo to mono by averaging the channels', () => {
    const bytes = buildWav({
      sample_rate_hz: 16_000,
      bits_per_sample: 16,
      channels: [
        [0.5, 0.5, -0.5],
        [0.5, -0.5, 0],
      ],
    });
    expect(Array.from(monoSamples(bytes, readWavLayout(bytes))).map((s) => s.toFixed(2))).toEqual([
      '0.50',
      '0.00',
      '-0.25',
    ]);
  });

  it('resamples 44.1 kHz stereo 24-bit to 16 kHz mono, keeping duration and pitch', () => {
    const left = tone(1, 44_100, 440, 0.5);
    const bytes = buildWav({ sample_rate_hz: 44_100, bits_per_sample: 24, channels: [left, left] });
    const decoded = decodeWav(bytes);
    expect(decoded.sample_rate_hz).toBe(16_000);
    expect(decoded.pcm.length).toBe(16_000);
    expect(decoded.source).toMatchObject({
      channels: 2,
      sample_rate_hz: 44_100,
      duration_ms: 1000,
    });
    expect(frequency(decoded.pcm)).toBeCloseTo(440, -1);
  });

  it('upsamples 8 kHz to 16 kHz', () => {
    const bytes = buildWav({
      sample_rate_hz: 8000,
      bits_per_sample: 16,
      channels: [tone(0.5, 8000, 300, 0.5)],
    });
    const { pcm } = decodeWav(bytes);
    expect(pcm.length).toBe(8000);
    expect(frequency(pcm)).toBeCloseTo(300, -1);
  });

  it('clips float samples past full scale instead of wrapping', () => {
    const bytes = buildWav({
      sample_rate_hz: 16_000,
      bits_per_sample: 32,
      encoding: 'float',
      channels: [[2, -3]],
    });
    expect(Array.from(decodeWav(bytes).pcm)).toEqual([32_767, -32_768]);
  });

  it('round-trips what encodeWav writes', () => {
    const pcm = Int16Array.from([0, 1000, -1000, 32_767, -32_768]);
    expect(Array.from(decodeWav(encodeWav(pcm, 16_000)).pcm)).toEqual(Array.from(pcm));
  });
});
