import { describe, expect, it } from 'vitest';
import { buildWav, tone } from './build.ts';
import { readWavLayout } from './riff.ts';
import { WavFormatError } from './wav-error.ts';

const mono = (bits: number, encoding?: 'pcm' | 'float' | 'extensible-pcm' | 'extensible-float') =>
  buildWav({
    sample_rate_hz: 16_000,
    bits_per_sample: bits,
    channels: [tone(0.01, 16_000, 440, 0.5)],
    ...(encoding === undefined ? {} : { encoding }),
  });

/** The error `readWavLayout` throws for `bytes`. */
function refusal(bytes: Uint8Array): WavFormatError {
  try {
    readWavLayout(bytes);
  } catch (error) {
    if (error instanceof WavFormatError) return error;
    throw error;
  }
  throw new Error('expected a WavFormatError');
}

describe('readWavLayout', () => {
  it.each([
    [8, 'pcm'],
    [16, 'pcm'],
    [24, 'pcm'],
    [32, 'pcm'],
    [32, 'float'],
    [64, 'float'],
  ] as const)('reads %i-bit %s', (bits, encoding) => {
    const layout = readWavLayout(mono(bits, encoding));
    expect(layout).toMatchObject({
      encoding,
      channels: 1,
      sample_rate_hz: 16_000,
      bits_per_sample: bits,
      block_align: bits / 8,
      data_offset: 44,
      data_length: 160 * (bits / 8),
    });
  });

  it('reads WAVE_FORMAT_EXTENSIBLE with a PCM or a float sub-format', () => {
    expect(readWavLayout(mono(24, 'extensible-pcm'))).toMatchObject({
      encoding: 'pcm',
      bits_per_sample: 24,
      data_offset: 68,
    });
    expect(readWavLayout(mono(32, 'extensible-float')).encoding).toBe('float');
  });

  it('reads stereo with its block alignment', () => {
    const bytes = buildWav({
      sample_rate_hz: 44_100,
      bits_per_sample: 16,
      channels: [tone(0.01, 44_100, 440, 0.5), tone(0.01, 44_100, 660, 0.5)],
    });
    expect(readWavLayout(bytes)).toMatchObject({ channels: 2, block_align: 4, data_length: 1764 });
  });

  it('skips LIST and other chunks before the data, with the pad byte of an odd-sized chunk', () => {
    const bytes = buildWav({
      sample_rate_hz: 16_000,
      bits_per_sample: 16,
      channels: [[0.1, 0.2, 0.3]],
      extra_chunks: [
        {
          id: 'LIST',
          body: Uint8Array.from('INFOISFT\x05\x00\x00\x00sox\x00\x00', (c) => c.charCodeAt(0)),
        },
        { id: 'odd ', body: new Uint8Array(3) },
        { id: 'fact', body: new Uint8Array(4) },
      ],
    });
    const layout = readWavLayout(bytes);
    // 12 RIFF + 24 fmt + (8 + 17 + 1) LIST + (8 + 3 + 1) odd + (8 + 4) fact + 8 data header
    expect(layout.data_offset).toBe(12 + 24 + 26 + 12 + 12 + 8);
    expect(layout.data_length).toBe(6);
  });

  it.each<[string, () => Uint8Array, string]>([
    [
      'a short file',
      () => new Uint8Array(5),
      'RIFF header: expected at least 12 bytes, received 5 bytes',
    ],
    [
      'a file that is not RIFF',
      () => Uint8Array.from('ID3\x04 not a wav file at all', (c) => c.charCodeAt(0)),
      'RIFF header chunk id: expected "RIFF" (a little-endian WAV file), received "ID3\\x04"',
    ],
    [
      'a RIFF file that is not WAVE',
      () => {
        const b = mono(16);
        b.set([0x41, 0x56, 0x49, 0x20], 8);
        return b;
      },
      'RIFF form type: expected "WAVE", received "AVI "',
    ],
    [
      'a truncated data chunk',
      () => mono(16).subarray(0, 100),
      'data chunk size: expected 320 bytes of samples (as declared), received 56 bytes (the file is truncated)',
    ],
    [
      'a truncated fmt chunk',
      () => mono(16).subarray(0, 30),
      '"fmt " chunk size: expected 16 bytes (as declared), received 10 bytes (the file is truncated)',
    ],
    [
      'no data chunk',
      () => mono(16).subarray(0, 36),
      'data chunk: expected a "data" chunk, received none',
    ],
    [
      'an unsupported format tag (ADPCM)',
      () => buildWav({ sample_rate_hz: 8000, bits_per_sample: 16, channels: [[0]], format_tag: 2 }),
      'fmt.audio_format: expected 0x0001 (PCM), 0x0003 (IEEE float) or 0xFFFE (extensible), received 0x0002',
    ],
    [
      'an unsupported width',
      () => buildWav({ sample_rate_hz: 8000, bits_per_sample: 16, channels: [[0]], format_tag: 3 }),
      'fmt.bits_per_sample: expected 32, 64 for IEEE float, received 16',
    ],
    [
      'a wrong block alignment',
      () => {
        const b = mono(16);
        new DataView(b.buffer).setUint16(32, 4, true);
        return b;
      },
      'fmt.block_align: expected 2 (channels x bits_per_sample / 8), received 4',
    ],
    [
      'a sample rate out of range',
      () => buildWav({ sample_rate_hz: 100, bits_per_sample: 16, channels: [[0]] }),
      'fmt.sample_rate_hz: expected 8000 to 384000, received 100',
    ],
    [
      'an extensible file with a non-PCM sub-format',
      () => {
        const b = mono(16, 'extensible-pcm');
        new DataView(b.buffer).setUint16(44, 2, true);
        return b;
      },
      'fmt.sub_format: expected KSDATAFORMAT_SUBTYPE_PCM or KSDATAFORMAT_SUBTYPE_IEEE_FLOAT, received 0x0002',
    ],
    [
      'a data size that is not whole sample frames',
      () => {
        const b = mono(16);
        new DataView(b.buffer).setUint32(40, 319, true);
        return b;
      },
      'data chunk size: expected a positive multiple of block_align 2, received 319 bytes',
    ],
  ])('refuses %s, naming the field, expected and received', (_name, bytes, message) => {
    const error = refusal(bytes());
    expect(error.message).toBe(message);
    expect(`${error.field}: expected ${error.expected}, received ${error.received}`).toBe(message);
  });

  it('refuses a data chunk before the fmt chunk', () => {
    const b = mono(16);
    const swapped = new Uint8Array(b.length);
    swapped.set(b.subarray(0, 12), 0);
    swapped.set(b.subarray(36), 12);
    swapped.set(b.subarray(12, 36), 12 + b.length - 36);
    expect(refusal(swapped).message).toBe(
      'fmt chunk: expected a "fmt " chunk before the "data" chunk, received none',
    );
  });
});
