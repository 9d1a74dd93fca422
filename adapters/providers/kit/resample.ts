/**
 * A streaming PCM16 rate converter around `wave-resampler` (cubic interpolation with its
 * zero-phase Butterworth anti-aliasing filter, ADR 0041). The library converts whole buffers, so
 * each step converts a window of the input with 10 ms of signal before and after the samples it
 * emits (no filter start-up transient at frame edges; output lags input by about 10 ms plus one
 * frame). Windows start on the rate ratio's grid and their lengths are chosen so that the
 * library's sample positions fall exactly on the output grid: the stream converts as one signal,
 * and output counts follow the ratio exactly (no drift).
 */
import waveResampler from 'wave-resampler';

/** Converts a stream of PCM16 mono frames to one sample rate. */
export interface StreamResampler {
  /** The samples now ready at the target rate for `pcm` at `from_hz` (may be empty). */
  push(pcm: Int16Array, from_hz: number): Int16Array;
  /** Everything still held back (end of the stream); the next push starts a new stream. */
  flush(): Int16Array;
}

/** Signal kept on each side of the emitted samples (ms). */
const MARGIN_MS = 10;
/** Input samples past a position that cubic interpolation reads. */
const CUBIC_REACH = 2;

const EMPTY = new Int16Array(0);

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

function toPcm16(samples: ArrayLike<number>, from: number, count: number): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i += 1) {
    // Clipped: the filter may overshoot full scale.
    const value = Math.round((samples[from + i] ?? 0) * 32_768);
    out[i] = Math.max(-32_768, Math.min(32_767, value));
  }
  return out;
}

function joinPcm(a: Int16Array, b: Int16Array): Int16Array {
  if (a.length === 0) return b;
  const out = new Int16Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** One input rate's conversion state. */
function createRateStream(from_hz: number, to_hz: number) {
  const divisor = gcd(from_hz, to_hz);
  /** Input samples per `p` output samples: output j sits at input position j * q / p. */
  const q = from_hz / divisor;
  const p = to_hz / divisor;
  const margin = Math.ceil((from_hz * MARGIN_MS) / 1000);
  let buffer = new Float32Array(0);
  /** Global index of `buffer[0]`, a multiple of q. */
  let base = 0;
  let emitted = 0;
  const total = () => base + buffer.length;
  /** The window start for the next output: a multiple of q, `margin` before it. */
  const windowStart = () => Math.max(base, Math.floor(((emitted * q) / p - margin) / q) * q);

  /** Emits outputs up to `limit` (exclusive) from a window of k * q + 1 input samples at `start`. */
  const emit = (start: number, k: number, limit: number): Int16Array => {
    if (limit <= emitted || k <= 0) return EMPTY;
    const n = k * q + 1;
    const window = new Float64Array(n);
    window.set(buffer.subarray(start - base, Math.min(buffer.length, start - base + n)));
    // The library makes floor(n * to / from) outputs at positions i * (n - 1) / m; asking for
    // m + 0.5 outputs' worth of rate gives m = k * p, so position i is exactly i * q / p.
    const m = k * p;
    const resampled = waveResampler.resample(window, from_hz, ((m + 0.5) * from_hz) / n);
    const out = toPcm16(resampled, emitted - (start / q) * p, limit - emitted);
    emitted = limit;
    const keep = windowStart() - base;
    buffer = buffer.slice(keep);
    base += keep;
    return out;
  };

  return {
    push(pcm: Int16Array): Int16Array {
      const grown = new Float32Array(buffer.length + pcm.length);
      grown.set(buffer);
      for (let i = 0; i < pcm.length; i += 1) grown[buffer.length + i] = (pcm[i] ?? 0) / 32_768;
      buffer = grown;
      const start = windowStart();
      const k = Math.floor((total() - 1 - start) / q);
      const reach = start + k * q - CUBIC_REACH - margin;
      const limit = Math.min(Math.floor((total() * p) / q), Math.floor((reach * p) / q) + 1);
      return reach < 0 ? EMPTY : emit(start, k, limit);
    },
    flush(): Int16Array {
      const start = windowStart();
      const k = Math.ceil((total() - start) / q) + 1;
      return emit(start, k, Math.floor((total() * p) / q));
    },
  };
}

/** Creates a converter to `to_hz`; frames already at `to_hz` pass through unchanged. */
export function createStreamResampler(to_hz: number): StreamResampler {
  let from = to_hz;
  let stream: ReturnType<typeof createRateStream> | null = null;
  const flush = (): Int16Array => {
    const tail = stream?.flush() ?? EMPTY;
    stream = null;
    from = to_hz;
    return tail;
  };
  return {
    push(pcm, from_hz) {
      const tail = from_hz === from ? EMPTY : flush();
      if (from_hz === to_hz) return joinPcm(tail, pcm);
      if (stream === null) {
        stream = createRateStream(from_hz, to_hz);
        from = from_hz;
      }
      return joinPcm(tail, stream.push(pcm));
    },
    flush,
  };
}
