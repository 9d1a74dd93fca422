/**
 * Builds WAVE files byte by byte in any layout (format tag, width, channels, extensible header,
 * extra chunks before the data, odd-sized chunks): the inputs of the reader's tests and of the
 * `rspp run --transport wav` tests, generated instead of committed.
 */

/** What to build; samples are floats in [-1, 1], one array per channel. */
export type WavBuildSpec = {
  readonly sample_rate_hz: number;
  readonly bits_per_sample: number;
  readonly channels: readonly (readonly number[])[];
  /** `pcm` (default), `float`, or `extensible-pcm` / `extensible-float`. */
  readonly encoding?: 'pcm' | 'float' | 'extensible-pcm' | 'extensible-float';
  /** Overrides the format tag (an unsupported one, e.g. 0x0002 ADPCM). */
  readonly format_tag?: number;
  /** Chunks written between `fmt ` and `data` (odd sizes get their pad byte). */
  readonly extra_chunks?: readonly { readonly id: string; readonly body: Uint8Array }[];
};

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

function chunk(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length % 2));
  out.set(ascii(id), 0);
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function writeSample(view: DataView, at: number, value: number, bits: number, float: boolean) {
  const v = Math.max(-1, Math.min(1, value));
  if (float) {
    if (bits === 64) view.setFloat64(at, value, true);
    else view.setFloat32(at, value, true);
  } else if (bits === 8) view.setUint8(at, Math.round(v * 127) + 128);
  else if (bits === 16) view.setInt16(at, Math.round(v * 32_767), true);
  else if (bits === 24) {
    const n = Math.round(v * 8_388_607);
    view.setUint8(at, n & 0xff);
    view.setUint8(at + 1, (n >> 8) & 0xff);
    view.setInt8(at + 2, n >> 16);
  } else view.setInt32(at, Math.round(v * 2_147_483_647), true);
}

/** The bytes of a WAVE file as `spec` says. */
export function buildWav(spec: WavBuildSpec): Uint8Array {
  const encoding = spec.encoding ?? 'pcm';
  const float = encoding.endsWith('float');
  const extensible = encoding.startsWith('extensible');
  const channels = spec.channels.length;
  const width = spec.bits_per_sample / 8;
  const frames = spec.channels[0]?.length ?? 0;
  const fmt = new Uint8Array(extensible ? 40 : 16);
  const f = new DataView(fmt.buffer);
  f.setUint16(0, spec.format_tag ?? (extensible ? 0xfffe : float ? 3 : 1), true);
  f.setUint16(2, channels, true);
  f.setUint32(4, spec.sample_rate_hz, true);
  f.setUint32(8, spec.sample_rate_hz * channels * width, true);
  f.setUint16(12, channels * width, true);
  f.setUint16(14, spec.bits_per_sample, true);
  if (extensible) {
    f.setUint16(16, 22, true);
    f.setUint16(18, spec.bits_per_sample, true);
    f.setUint32(20, channels === 1 ? 0x4 : 0x3, true);
    f.setUint16(24, float ? 3 : 1, true);
    fmt.set([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71], 26);
  }
  const data = new Uint8Array(frames * channels * width);
  const d = new DataView(data.buffer);
  for (let i = 0; i < frames; i += 1) {
    spec.channels.forEach((samples, c) => {
      writeSample(d, (i * channels + c) * width, samples[i] ?? 0, spec.bits_per_sample, float);
    });
  }
  const body = concat([
    ascii('WAVE'),
    chunk('fmt ', fmt),
    ...(spec.extra_chunks ?? []).map((c) => chunk(c.id, c.body)),
    chunk('data', data),
  ]);
  const header = new Uint8Array(8);
  header.set(ascii('RIFF'), 0);
  new DataView(header.buffer).setUint32(4, body.length, true);
  return concat([header, body]);
}

/** `seconds` of a sine at `hz` and `amplitude` (0..1), or silence when `amplitude` is 0. */
export function tone(seconds: number, sample_rate_hz: number, hz: number, amplitude: number) {
  return Array.from(
    { length: Math.round(seconds * sample_rate_hz) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / sample_rate_hz),
  );
}
