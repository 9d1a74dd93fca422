/**
 * Fixed-size audio frames: LiveKit's `AudioSource` takes 10 ms frames, the pipeline 20 ms ones,
 * and `AudioResampler` hands back whatever it has (its output sizes vary). A chunker buffers
 * samples and yields frames of exactly the requested size.
 */

/** Samples per frame of `frame_ms` at `sample_rate_hz`, mono. */
export function samplesPerFrame(sample_rate_hz: number, frame_ms: number): number {
  return Math.round((sample_rate_hz * frame_ms) / 1000);
}

/** Cuts a stream of samples into frames of one size. */
export type FrameChunker = {
  /** Adds samples; returns the whole frames now available, in order. */
  push(samples: Int16Array): Int16Array[];
  /** The rest as one last frame padded with silence (none when empty). */
  flush(): Int16Array[];
  /** Drops what is buffered. */
  reset(): void;
  /** Samples buffered, less than one frame. */
  readonly pending: number;
};

/** Creates a chunker of `size` samples per frame. */
export function createFrameChunker(size: number): FrameChunker {
  let buffer = new Int16Array(size);
  let filled = 0;
  return {
    get pending() {
      return filled;
    },
    push(samples) {
      const frames: Int16Array[] = [];
      let offset = 0;
      while (offset < samples.length) {
        const take = Math.min(size - filled, samples.length - offset);
        buffer.set(samples.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === size) {
          frames.push(buffer);
          buffer = new Int16Array(size);
          filled = 0;
        }
      }
      return frames;
    },
    flush() {
      if (filled === 0) return [];
      const last = buffer;
      buffer = new Int16Array(size);
      filled = 0;
      return [last];
    },
    reset() {
      buffer = new Int16Array(size);
      filled = 0;
    },
  };
}
