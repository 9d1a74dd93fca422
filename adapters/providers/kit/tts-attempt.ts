/**
 * The attempt loop every streaming TTS adapter shares: the cancel and concurrency checks, the
 * input cut into sentences as it arrives, an idle deadline on the injected scheduler (paused
 * while waiting for input: a slow LLM is not a slow TTS), the abort wiring that closes the
 * provider connection at once, and provider audio turned into frames of exactly `frame_ms` at
 * the declared rate. The provider part only turns text pieces into PCM16 and classifies throws.
 */
import {
  AdapterError,
  type ProviderRequest,
  type TtsChunk,
  type TtsInput,
} from '../../../contracts/index.ts';
import { ABORTED, abortableReader, type ProviderScheduler } from '../../../contracts/internal.ts';
import { claimAttemptWire } from './attempt-wire.ts';
import { createIdleDeadline } from './deadline.ts';
import { createFrameChunker } from './pcm.ts';
import { createStreamResampler } from './resample.ts';
import { createSentenceSegmenter, type SegmenterOptions, type TextSegment } from './sentences.ts';

/** What a provider stream yields: PCM16 of the current piece, or the end of that piece. */
export type TtsAudioEvent =
  | {
      /** Samples of the current piece. */
      readonly type: 'audio';
      /** PCM16 mono samples. */
      readonly pcm: Int16Array;
      /** Their rate (converted to the declared rate when it differs). */
      readonly sample_rate_hz: number;
    }
  | {
      /** The current piece has no more audio; the next audio belongs to the next piece. */
      readonly type: 'segment_end';
    };

/** What an adapter gives {@link runTtsAttempt} for one call. */
export interface TtsAttempt {
  /** `provider_id` for errors. */
  readonly provider: string;
  /** The port's request. */
  readonly request: ProviderRequest<'tts', TtsInput>;
  /** Where the idle deadline waits. */
  readonly scheduler: ProviderScheduler;
  /** Longest wait on the provider (between two events, input waits excluded) before a timeout. */
  readonly idle_timeout_ms: number;
  /** Declared output format. */
  readonly format: { readonly sample_rate_hz: number; readonly frame_ms: number };
  /** How the input is cut before synthesis. */
  readonly segmenter: SegmenterOptions;
  /** Concurrency limit and the instance's counter. */
  readonly concurrency: { readonly max: number; readonly active: { count: number } };
  /**
   * Opens the provider stream over the pieces of text (read as they complete; never blank):
   * audio of each piece in order, `segment_end` after each. `signal` aborts on the caller's abort
   * and on the idle deadline.
   */
  open(segments: AsyncIterable<TextSegment>, signal: AbortSignal): AsyncIterable<TtsAudioEvent>;
  /** Turns anything `open` threw (not an abort) into the adapter error. */
  classify(failure: unknown): AdapterError;
}

/** The idle deadline, held (off) while an input read is pending and before the first one. */
function createHeldDeadline(scheduler: ProviderScheduler, ms: number, fire: () => void) {
  const inner = createIdleDeadline(scheduler, ms, fire);
  // Held until the first input read ends: before any text, the provider owes nothing.
  let held = true;
  let disposed = false;
  const arm = () => {
    if (held || disposed) inner.stop();
    else inner.arm();
  };
  return {
    arm,
    /** Stops for good: a late input read cannot re-arm it. */
    dispose() {
      disposed = true;
      inner.stop();
    },
    /** Holds the deadline (true) while waiting for input, re-arming it afterwards. */
    hold(value: boolean) {
      held = value;
      arm();
    },
  };
}

/** Turns provider audio into declared frames, naming the input chunks each one speaks. */
function createFrameAssembler(format: TtsAttempt['format'], segments: readonly TextSegment[]) {
  const chunker = createFrameChunker(format.sample_rate_hz, format.frame_ms);
  const resampler = createStreamResampler(format.sample_rate_hz);
  let segment = 0;
  let index = 0;
  // The newest frame waits for the next one: the last frame of a piece names its last input.
  let held: Int16Array | null = null;
  /** Whether the current piece has had audio since its start. */
  let started = false;
  const frame = (pcm: Int16Array, last: boolean): TtsChunk => {
    const at = segments[segment] ?? segments[segments.length - 1];
    const input_index = at === undefined ? 0 : last ? at.last_input : at.first_input;
    return {
      type: 'audio',
      index: index++,
      input_index,
      pcm,
      sample_rate_hz: format.sample_rate_hz,
      duration_ms: format.frame_ms,
    };
  };
  const take = (frames: readonly Int16Array[]): TtsChunk[] => {
    const out: TtsChunk[] = [];
    for (const next of frames) {
      if (held !== null) out.push(frame(held, false));
      held = next;
    }
    return out;
  };
  return {
    audio(pcm: Int16Array, sample_rate_hz: number): TtsChunk[] {
      started = true;
      return take(chunker.push(resampler.push(pcm, sample_rate_hz)));
    },
    /** Ends the current piece: the rest padded to a whole frame, the last naming its last input. */
    segmentEnd(): TtsChunk[] {
      const out = take(chunker.push(resampler.flush()));
      const tail = chunker.end();
      if (tail !== null) out.push(...take([tail]));
      if (held !== null) out.push(frame(held, true));
      held = null;
      started = false;
      segment += 1;
      return out;
    },
    /** Whether the current piece has had audio not yet ended. */
    get open() {
      return started;
    },
  };
}

/**
 * Runs one TTS attempt as the port's stream: nothing before the first `next()`, no chunk after an
 * abort (the stream just ends and the connection is closed), failures as {@link AdapterError}.
 */
export async function* runTtsAttempt(
  attempt: TtsAttempt,
): AsyncGenerator<TtsChunk, void, undefined> {
  const { provider, request, concurrency } = attempt;
  const { signal } = request;
  if (request.cancel_requested || signal.aborted) return;
  const claimed = claimAttemptWire(provider, signal, concurrency);
  const { wire } = claimed;
  let timedOut = false;
  const deadline = createHeldDeadline(attempt.scheduler, attempt.idle_timeout_ms, () => {
    timedOut = true;
    wire.abort(new DOMException('provider idle deadline', 'TimeoutError'));
  });
  const timeout = () => new AdapterError('timeout', { provider, detail: 'idle_deadline' });
  const segments: TextSegment[] = [];
  const frames = createFrameAssembler(attempt.format, segments);
  // Owned here, not by the source: a provider that never read it must still release it.
  const input = { iterator: request.input[Symbol.asyncIterator](), done: false };
  let events: AsyncIterator<TtsAudioEvent> | undefined;
  let reader: ReturnType<typeof abortableReader<TtsAudioEvent>> | undefined;
  try {
    // Input is read until the wire closes: an abort, the deadline or an early stop releases it.
    const source = segmentSource(input, wire.signal, attempt.segmenter, deadline, segments);
    events = attempt.open(source, wire.signal)[Symbol.asyncIterator]();
    reader = abortableReader(events, signal);
    for (;;) {
      deadline.arm();
      let step: IteratorResult<TtsAudioEvent> | typeof ABORTED;
      try {
        step = await reader.next();
      } catch (failure) {
        if (signal.aborted) return;
        if (timedOut) throw timeout();
        throw attempt.classify(failure);
      }
      if (step === ABORTED || signal.aborted) return;
      if (timedOut) throw timeout();
      if (step.done === true) {
        if (frames.open) yield* frames.segmentEnd();
        return;
      }
      const event = step.value;
      const chunks =
        event.type === 'audio'
          ? frames.audio(event.pcm, event.sample_rate_hz)
          : frames.segmentEnd();
      for (const chunk of chunks) {
        yield chunk;
        if (signal.aborted) return;
      }
    }
  } finally {
    reader?.dispose();
    deadline.dispose();
    // Closes the connection when the consumer stopped early; a no-op after a clean end.
    claimed.release();
    events?.return?.().catch(() => undefined);
    if (!input.done) input.iterator.return?.().catch(() => undefined);
  }
}

/**
 * The pieces of text of the input as they complete, recorded in `seen`; the deadline is held
 * while an input read is pending. Ends quietly on abort.
 */
async function* segmentSource(
  input: { readonly iterator: AsyncIterator<TtsInput>; done: boolean },
  signal: AbortSignal,
  options: SegmenterOptions,
  deadline: { hold(value: boolean): void },
  seen: TextSegment[],
): AsyncGenerator<TextSegment, void, undefined> {
  const segmenter = createSentenceSegmenter(options);
  const reader = abortableReader(input.iterator, signal);
  let input_index = 0;
  try {
    for (;;) {
      deadline.hold(true);
      const step = await reader.next().finally(() => deadline.hold(false));
      if (step === ABORTED || signal.aborted) return;
      if (step.done === true) {
        input.done = true;
        for (const segment of segmenter.end()) {
          seen.push(segment);
          yield segment;
        }
        return;
      }
      for (const segment of segmenter.push(step.value.text, input_index)) {
        seen.push(segment);
        yield segment;
      }
      input_index += 1;
    }
  } finally {
    reader.dispose();
  }
}
