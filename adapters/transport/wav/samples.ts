/**
 * Decodes the samples of a WAVE file's `data` chunk into one mono channel of floats in [-1, 1]:
 * unsigned 8-bit, signed 16/24/32-bit little-endian PCM and 32/64-bit IEEE float, every channel
 * averaged into one.
 */
import type { WavLayout } from './riff.ts';

/** One sample of channel data at `at` as a float in [-1, 1]. */
type SampleReader = (view: DataView, at: number) => number;

function readerOf(layout: WavLayout): SampleReader {
  if (layout.encoding === 'float')
    return layout.bits_per_sample === 64
      ? (view, at) => view.getFloat64(at, true)
      : (view, at) => view.getFloat32(at, true);
  switch (layout.bits_per_sample) {
    case 8:
      return (view, at) => (view.getUint8(at) - 128) / 128;
    case 16:
      return (view, at) => view.getInt16(at, true) / 32_768;
    case 24:
      return (view, at) =>
        ((view.getInt8(at + 2) << 16) | (view.getUint8(at + 1) << 8) | view.getUint8(at)) /
        8_388_608;
    default:
      return (view, at) => view.getInt32(at, true) / 2_147_483_648;
  }
}

/** The file's samples, channels mixed to mono, as floats (NaN and infinities read as 0). */
export function monoSamples(bytes: Uint8Array, layout: WavLayout): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = readerOf(layout);
  const width = layout.bits_per_sample / 8;
  const frames = layout.data_length / layout.block_align;
  const out = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame += 1) {
    const at = layout.data_offset + frame * layout.block_align;
    let sum = 0;
    for (let channel = 0; channel < layout.channels; channel += 1) {
      const value = read(view, at + channel * width);
      sum += Number.isFinite(value) ? value : 0;
    }
    out[frame] = sum / layout.channels;
  }
  return out;
}
