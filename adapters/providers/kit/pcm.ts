/**
 * Provider audio to the pipeline's format: little-endian PCM16 bytes (split anywhere) to samples,
 * a chunker that cuts samples into frames of exactly `frame_ms` (padding the last one of a piece
 * with silence), and the PCM16 data of a WAV file. Rate conversion is `resample.ts`'s.
 */
/** Turns PCM16 little-endian bytes into samples; a byte split off a chunk waits for the next. */
export interface Pcm16Decoder {
  /** Samples completed by `bytes`. */
  push(bytes: Uint8Array): Int16Array;
  /** Whether a dangling odd byte is left (a truncated sample). */
  readonly dangling: boolean;
}

/** Creates a decoder. */
export function createPcm16Decoder(): Pcm16Decoder {
  let carry: number | null = null;
  return {
    push(bytes) {
      const total = bytes.length + (carry === null ? 0 : 1);
      const out = new Int16Array(total >> 1);
      let byte = 0;
      let k = 0;
      if (carry !== null && bytes.length > 0) {
        out[k++] = (((bytes[0]! << 8) | carry) << 16) >> 16;
        byte = 1;
        carry = null;
      }
      for (; byte + 1 < bytes.length; byte += 2) {
        out[k++] = (((bytes[byte + 1]! << 8) | bytes[byte]!) << 16) >> 16;
      }
      if (byte < bytes.length) carry = bytes[byte]!;
      return out;
    },
    get dangling() {
      return carry !== null;
    },
  };
}

/** Cuts samples into frames of exactly `samples_per_frame`. */
export interface FrameChunker {
  /** Adds samples; returns the frames they completed. */
  push(pcm: Int16Array): Int16Array[];
  /** The last partial frame padded with silence, or null when none is pending. */
  end(): Int16Array | null;
}

/** Creates a chunker of frames of `sample_rate_hz * frame_ms / 1000` samples. */
export function createFrameChunker(sample_rate_hz: number, frame_ms: number): FrameChunker {
  const size = (sample_rate_hz * frame_ms) / 1000;
  if (!Number.isInteger(size) || size <= 0) {
    throw new RangeError(`frame of ${frame_ms} ms at ${sample_rate_hz} Hz is not whole samples`);
  }
  let pending = new Int16Array(size);
  let filled = 0;
  return {
    push(pcm) {
      const frames: Int16Array[] = [];
      let at = 0;
      while (at < pcm.length) {
        const take = Math.min(size - filled, pcm.length - at);
        pending.set(pcm.subarray(at, at + take), filled);
        filled += take;
        at += take;
        if (filled === size) {
          frames.push(pending);
          pending = new Int16Array(size);
          filled = 0;
        }
      }
      return frames;
    },
    end() {
      if (filled === 0) return null;
      const frame = pending;
      pending = new Int16Array(size);
      filled = 0;
      return frame;
    },
  };
}

/** The PCM16 mono data of a WAV file, with its rate; null when it is not one. */
export interface WavPcm {
  /** Sample rate of the `fmt ` chunk. */
  readonly sample_rate_hz: number;
  /** The `data` chunk's bytes. */
  readonly data: Uint8Array;
}

const ascii = (bytes: Uint8Array, at: number) =>
  String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);

/**
 * Reads a RIFF/WAVE file by walking its chunks to `fmt ` and `data`. Returns null for bytes that
 * are not RIFF (raw PCM); throws a RangeError for a RIFF file that is not PCM16 mono.
 */
export function readWavPcm16(bytes: Uint8Array): WavPcm | null {
  if (bytes.length < 12 || ascii(bytes, 0) !== 'RIFF' || ascii(bytes, 8) !== 'WAVE') return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let sample_rate_hz = 0;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = ascii(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ' && body + 16 <= bytes.length) {
      const format = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const bits = view.getUint16(body + 14, true);
      // 0xfffe is WAVE_FORMAT_EXTENSIBLE; its sub-format is checked through the bit depth.
      if ((format !== 1 && format !== 0xfffe) || channels !== 1 || bits !== 16) {
        throw new RangeError('wav_not_pcm16_mono');
      }
      sample_rate_hz = view.getUint32(body + 4, true);
    }
    if (id === 'data') {
      if (sample_rate_hz === 0) throw new RangeError('wav_without_fmt');
      // Streamed WAVs may declare a data size larger than what follows (or 0xffffffff).
      return { sample_rate_hz, data: bytes.subarray(body, Math.min(bytes.length, body + size)) };
    }
    at = body + size + (size % 2);
  }
  throw new RangeError('wav_without_data');
}
