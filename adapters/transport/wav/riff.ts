/**
 * Walks the RIFF chunks of a WAVE file and reads its format: RIFF/WAVE header, a `fmt ` chunk
 * (PCM, IEEE float, or WAVE_FORMAT_EXTENSIBLE with a PCM or float sub-format) before a `data`
 * chunk, any other chunk (LIST, fact, cue, ...) skipped with its pad byte when its size is odd.
 * Every refusal names the field, the expected and the received value.
 */
import { WavFormatError } from './wav-error.ts';

/** How the samples of a file are encoded. */
export type WavEncoding = 'pcm' | 'float';

/** The format of a WAVE file and where its samples are. */
export type WavLayout = {
  readonly encoding: WavEncoding;
  readonly channels: number;
  readonly sample_rate_hz: number;
  readonly bits_per_sample: number;
  /** Bytes of one sample frame (all channels). */
  readonly block_align: number;
  /** Byte offset and length of the `data` chunk's samples. */
  readonly data_offset: number;
  readonly data_length: number;
};

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;
/** The bytes after the first two of a KSDATAFORMAT sub-format GUID (`-0000-0010-8000-00aa00389b71`). */
const GUID_TAIL = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];
const BITS: Record<WavEncoding, readonly number[]> = { pcm: [8, 16, 24, 32], float: [32, 64] };
const MIN_RATE_HZ = 8000;
const MAX_RATE_HZ = 384_000;
const MAX_CHANNELS = 32;

/** Four bytes as text, non-printable bytes escaped (a chunk id of a file that is not a WAV). */
function fourcc(bytes: Uint8Array, offset: number): string {
  let out = '';
  for (const byte of bytes.subarray(offset, offset + 4)) {
    out +=
      byte >= 0x20 && byte < 0x7f
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `"${out}"`;
}

const hex = (n: number) => `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;

/** Reads the layout of a WAVE file, or throws {@link WavFormatError}. */
export function readWavLayout(bytes: Uint8Array): WavLayout {
  if (bytes.length < 12)
    throw new WavFormatError('RIFF header', 'at least 12 bytes', `${String(bytes.length)} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fourcc(bytes, 0) !== '"RIFF"')
    throw new WavFormatError(
      'RIFF header chunk id',
      '"RIFF" (a little-endian WAV file)',
      fourcc(bytes, 0),
    );
  if (fourcc(bytes, 8) !== '"WAVE"')
    throw new WavFormatError('RIFF form type', '"WAVE"', fourcc(bytes, 8));
  let format: Omit<WavLayout, 'data_offset' | 'data_length'> | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = fourcc(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    const available = bytes.length - body;
    if (id === '"data"') {
      if (format === null)
        throw new WavFormatError('fmt chunk', 'a "fmt " chunk before the "data" chunk', 'none');
      if (size > available)
        throw new WavFormatError(
          'data chunk size',
          `${String(size)} bytes of samples (as declared)`,
          `${String(available)} bytes (the file is truncated)`,
        );
      if (size === 0 || size % format.block_align !== 0)
        throw new WavFormatError(
          'data chunk size',
          `a positive multiple of block_align ${String(format.block_align)}`,
          `${String(size)} bytes`,
        );
      return { ...format, data_offset: body, data_length: size };
    }
    if (size > available)
      throw new WavFormatError(
        `${id} chunk size`,
        `${String(size)} bytes (as declared)`,
        `${String(available)} bytes (the file is truncated)`,
      );
    if (id === '"fmt "') format = readFormat(view, body, size);
    offset = body + size + (size % 2);
  }
  if (format === null) throw new WavFormatError('fmt chunk', 'a "fmt " chunk', 'none');
  throw new WavFormatError('data chunk', 'a "data" chunk', 'none');
}

/** Reads and checks the `fmt ` chunk at `at` of `size` bytes. */
function readFormat(
  view: DataView,
  at: number,
  size: number,
): Omit<WavLayout, 'data_offset' | 'data_length'> {
  if (size < 16)
    throw new WavFormatError('fmt chunk size', 'at least 16 bytes', `${String(size)} bytes`);
  const tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sample_rate_hz = view.getUint32(at + 4, true);
  const block_align = view.getUint16(at + 12, true);
  const bits_per_sample = view.getUint16(at + 14, true);
  let encoding: WavEncoding;
  if (tag === FORMAT_PCM) encoding = 'pcm';
  else if (tag === FORMAT_FLOAT) encoding = 'float';
  else if (tag === FORMAT_EXTENSIBLE) encoding = subFormat(view, at, size);
  else
    throw new WavFormatError(
      'fmt.audio_format',
      `${hex(FORMAT_PCM)} (PCM), ${hex(FORMAT_FLOAT)} (IEEE float) or ${hex(FORMAT_EXTENSIBLE)} (extensible)`,
      hex(tag),
    );
  if (channels < 1 || channels > MAX_CHANNELS)
    throw new WavFormatError('fmt.channels', `1 to ${String(MAX_CHANNELS)}`, String(channels));
  if (sample_rate_hz < MIN_RATE_HZ || sample_rate_hz > MAX_RATE_HZ)
    throw new WavFormatError(
      'fmt.sample_rate_hz',
      `${String(MIN_RATE_HZ)} to ${String(MAX_RATE_HZ)}`,
      String(sample_rate_hz),
    );
  if (!BITS[encoding].includes(bits_per_sample))
    throw new WavFormatError(
      'fmt.bits_per_sample',
      `${BITS[encoding].join(', ')} for ${encoding === 'pcm' ? 'PCM' : 'IEEE float'}`,
      String(bits_per_sample),
    );
  const expectedAlign = (channels * bits_per_sample) / 8;
  if (block_align !== expectedAlign)
    throw new WavFormatError(
      'fmt.block_align',
      `${String(expectedAlign)} (channels x bits_per_sample / 8)`,
      String(block_align),
    );
  return { encoding, channels, sample_rate_hz, bits_per_sample, block_align };
}

/** The encoding of a WAVE_FORMAT_EXTENSIBLE `fmt ` chunk, from its sub-format GUID. */
function subFormat(view: DataView, at: number, size: number): WavEncoding {
  if (size < 40)
    throw new WavFormatError(
      'fmt chunk size',
      '40 bytes for WAVE_FORMAT_EXTENSIBLE',
      `${String(size)} bytes`,
    );
  const code = view.getUint16(at + 24, true);
  const tailMatches = GUID_TAIL.every((byte, k) => view.getUint8(at + 26 + k) === byte);
  if (tailMatches && code === FORMAT_PCM) return 'pcm';
  if (tailMatches && code === FORMAT_FLOAT) return 'float';
  throw new WavFormatError(
    'fmt.sub_format',
    `KSDATAFORMAT_SUBTYPE_PCM or KSDATAFORMAT_SUBTYPE_IEEE_FLOAT`,
    tailMatches ? hex(code) : 'a non-standard GUID',
  );
}
