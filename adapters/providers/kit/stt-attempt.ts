/**
 * The attempt loop every streaming STT adapter shares: the cancel and concurrency checks, the
 * connection (through the adapter's `open`), a pump that reads the input (abortable), converts
 * each audio frame to the session's rate and sends it in chunks of at least `min_chunk_ms`, an
 * idle deadline on the injected scheduler, the abort wiring that closes the connection at once,
 * and the transcript: provider updates become `partial` hypotheses and exactly one `final`.
 */
import {
  AdapterError,
  toAdapterError,
  type ProviderRequest,
  type SttChunk,
  type SttInput,
} from '../../../contracts/index.ts';
import { ABORTED, abortableReader, type ProviderScheduler } from '../../../contracts/internal.ts';
import { claimAttemptWire } from './attempt-wire.ts';
import { createIdleDeadline } from './deadline.ts';
import { createStreamResampler } from './resample.ts';

/** A provider's news about the segment being transcribed. */
export interface SttUpdate {
  /** The segment's whole hypothesis so far (PII). */
  readonly text: string;
  /** Whether the segment is settled (the next update starts a new one). */
  readonly final: boolean;
}

/** One open provider session. */
export interface SttSession {
  /** Sends PCM16 mono audio at the session's rate. */
  send(pcm: Int16Array): void;
  /** Ends the audio: the provider flushes its results, then ends the session. */
  finish(): void;
  /**
   * The next update, or null once the provider confirmed the end of the session; rejects with
   * an {@link AdapterError} on an error message, a refused close or a dropped connection.
   */
  next(): Promise<SttUpdate | null>;
}

/** What an adapter gives {@link runSttAttempt} for one call. */
export interface SttAttempt {
  /** `provider_id` for errors. */
  readonly provider: string;
  /** The port's request. */
  readonly request: ProviderRequest<'stt', SttInput>;
  /** Where the idle deadline waits. */
  readonly scheduler: ProviderScheduler;
  /** Longest time with neither audio sent nor an update received before the attempt times out. */
  readonly idle_timeout_ms: number;
  /** Rate of the audio the session takes; other frames are resampled to it. */
  readonly sample_rate_hz: number;
  /** Smallest audio message (ms): frames are batched up to it, the last one padded with silence. */
  readonly min_chunk_ms: number;
  /** Concurrency limit and the instance's counter. */
  readonly concurrency: { readonly max: number; readonly active: { count: number } };
  /**
   * Opens the session (null when `signal` aborted first). `signal` aborts on the caller's abort,
   * the idle deadline and a failure of the input; the adapter closes the connection then.
   */
  open(signal: AbortSignal): Promise<SttSession | null>;
  /** Turns anything `open` or `next` threw (not an abort) into the adapter error. */
  classify(failure: unknown): AdapterError;
}

/** Whole hypotheses from segment updates: settled segments, then the open one. */
function createTranscript() {
  const settled: string[] = [];
  let open = '';
  let last = '';
  const text = () => [...settled, open].filter((part) => part !== '').join(' ');
  return {
    /** The new whole hypothesis, or null when it is empty or unchanged. */
    update(update: SttUpdate): string | null {
      const segment = update.text.trim();
      if (update.final) {
        if (segment !== '') settled.push(segment);
        open = '';
      } else open = segment;
      const hypothesis = text();
      if (hypothesis === '' || hypothesis === last) return null;
      last = hypothesis;
      return hypothesis;
    },
    /** The transcript: settled segments and whatever the last open one said. */
    final: text,
  };
}

/** Batches PCM16 into messages of at least `min` samples. */
function createBatcher(min: number, send: (pcm: Int16Array) => void) {
  let parts: Int16Array[] = [];
  let held = 0;
  const join = (length: number) => {
    const out = new Int16Array(length);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    parts = [];
    held = 0;
    return out;
  };
  return {
    push(pcm: Int16Array) {
      if (pcm.length === 0) return;
      parts.push(pcm);
      held += pcm.length;
      if (held >= min) send(join(held));
    },
    /** Sends what is held, padded with silence up to `min`. */
    end() {
      if (held > 0) send(join(Math.max(held, min)));
    },
  };
}

const isAudio = (item: SttInput): item is Extract<SttInput, { type: 'audio' }> =>
  item.type === 'audio' &&
  item.pcm instanceof Int16Array &&
  Number.isInteger(item.sample_rate_hz) &&
  item.sample_rate_hz >= 1_000 &&
  item.sample_rate_hz <= 192_000;

/**
 * Runs one STT attempt as the port's stream: nothing before the first `next()`, no chunk after
 * an abort (the stream just ends and the connection is closed), failures as {@link AdapterError}.
 */
export async function* runSttAttempt(
  attempt: SttAttempt,
): AsyncGenerator<SttChunk, void, undefined> {
  const { provider, request, concurrency } = attempt;
  const { signal } = request;
  if (request.cancel_requested || signal.aborted) return;
  const claimed = claimAttemptWire(provider, signal, concurrency);
  const { wire } = claimed;
  // Set from callbacks (deadline, pump): typed by assertion so reads are not narrowed to null.
  let failure = null as AdapterError | null;
  const fail = (error: AdapterError) => {
    failure ??= error;
    wire.abort(error);
  };
  const deadline = createIdleDeadline(attempt.scheduler, attempt.idle_timeout_ms, () =>
    fail(new AdapterError('timeout', { provider, detail: 'idle_deadline' })),
  );
  const input = request.input[Symbol.asyncIterator]();
  let inputOpen = true;
  let finished = false;
  const pump = async (session: SttSession) => {
    const reader = abortableReader(input, wire.signal);
    const resampler = createStreamResampler(attempt.sample_rate_hz);
    const batch = createBatcher((attempt.sample_rate_hz * attempt.min_chunk_ms) / 1000, (pcm) =>
      session.send(pcm),
    );
    try {
      for (;;) {
        const step = await reader.next();
        if (step === ABORTED) return;
        if (step.done === true) break;
        if (!isAudio(step.value)) {
          const detail = step.value.type === 'text' ? 'text_input' : 'audio_format';
          throw new AdapterError('request_rejected', { provider, detail });
        }
        batch.push(resampler.push(step.value.pcm, step.value.sample_rate_hz));
        deadline.arm();
      }
      inputOpen = false;
      batch.push(resampler.flush());
      batch.end();
      session.finish();
      finished = true;
    } catch (error) {
      fail(toAdapterError(error, provider));
    } finally {
      reader.dispose();
    }
  };
  const failed = (error: unknown): AdapterError => failure ?? attempt.classify(error);
  try {
    deadline.arm();
    let session: SttSession | null;
    try {
      session = await attempt.open(wire.signal);
    } catch (error) {
      if (signal.aborted) return;
      throw failed(error);
    }
    if (signal.aborted) return;
    if (session === null || failure !== null) throw failed(new Error('session not opened'));
    const current = session;
    deadline.arm();
    void pump(current);
    const updates = abortableReader<SttUpdate | null>(
      {
        next: async () => {
          const value = await current.next();
          return value === null ? { done: true, value: null } : { done: false, value };
        },
      },
      wire.signal,
    );
    const transcript = createTranscript();
    let index = 0;
    try {
      for (;;) {
        let step: IteratorResult<SttUpdate | null> | typeof ABORTED;
        try {
          step = await updates.next();
        } catch (error) {
          if (signal.aborted) return;
          throw failed(error);
        }
        if (signal.aborted) return;
        if (step === ABORTED || failure !== null) throw failed(new Error('wire aborted'));
        if (step.done === true || step.value === null) break;
        deadline.arm();
        const hypothesis = transcript.update(step.value);
        if (hypothesis !== null) {
          yield { type: 'partial', index, text: hypothesis };
          index += 1;
          if (signal.aborted) return;
        }
      }
    } finally {
      updates.dispose();
    }
    if (!finished) {
      throw new AdapterError('transport_error', { provider, detail: 'session_ended_early' });
    }
    yield { type: 'final', index, text: transcript.final() };
  } finally {
    deadline.stop();
    // Closes the connection when the consumer stopped early; a no-op after a clean end.
    claimed.release();
    if (inputOpen) input.return?.().catch(() => undefined);
  }
}
