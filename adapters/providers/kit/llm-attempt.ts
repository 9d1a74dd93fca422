/**
 * The attempt loop every streaming LLM adapter shares: the cancel and concurrency checks, reading
 * the turn context (abortable), an idle deadline on the injected scheduler, the abort wiring that
 * closes the provider connection at once, and cutting provider deltas to the declared size. The
 * provider part only opens its stream of text pieces and classifies what it throws.
 */
import {
  AdapterError,
  type LlmChunk,
  type LlmInput,
  type ProviderRequest,
} from '../../../contracts/index.ts';
import { ABORTED, abortableReader, type ProviderScheduler } from '../../../contracts/internal.ts';
import { claimAttemptWire } from './attempt-wire.ts';
import { createIdleDeadline } from './deadline.ts';

/** What an adapter gives {@link runLlmAttempt} for one call. */
export interface LlmAttempt {
  /** `provider_id` for errors. */
  readonly provider: string;
  /** The port's request. */
  readonly request: ProviderRequest<'llm', LlmInput>;
  /** Where the idle deadline waits. */
  readonly scheduler: ProviderScheduler;
  /** Longest wait for the response, then between two events, before the attempt times out. */
  readonly idle_timeout_ms: number;
  /** Declared largest delta; longer provider pieces are cut. */
  readonly max_delta_chars: number;
  /** Concurrency limit and the instance's counter. */
  readonly concurrency: { readonly max: number; readonly active: { count: number } };
  /**
   * Opens the provider stream for the whole turn context: text pieces in order (empty ones are
   * skipped). `signal` aborts on the caller's abort and on the idle deadline.
   */
  open(messages: readonly LlmInput[], signal: AbortSignal): AsyncIterable<string>;
  /** Turns anything `open` threw (not an abort) into the adapter error. */
  classify(failure: unknown): AdapterError;
}

/** Splits `text` into pieces of at most `max` UTF-16 units, never inside a surrogate pair. */
export function splitDelta(text: string, max: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + max, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && end - start > 1 && last >= 0xd800 && last <= 0xdbff) end -= 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

/** Reads the whole input unless `signal` aborts first (then returns null); releases it early. */
async function readAll<TInput>(
  input: AsyncIterable<TInput>,
  signal: AbortSignal,
): Promise<TInput[] | null> {
  const iterator = input[Symbol.asyncIterator]();
  const reader = abortableReader(iterator, signal);
  const items: TInput[] = [];
  try {
    for (;;) {
      const step = await reader.next();
      if (step === ABORTED || signal.aborted) {
        iterator.return?.().catch(() => undefined);
        return null;
      }
      if (step.done === true) return items;
      items.push(step.value);
    }
  } finally {
    reader.dispose();
  }
}

/**
 * Runs one LLM attempt as the port's stream: nothing before the first `next()`, no chunk after an
 * abort (the stream just ends and the connection is closed), failures as {@link AdapterError}.
 */
export async function* runLlmAttempt(
  attempt: LlmAttempt,
): AsyncGenerator<LlmChunk, void, undefined> {
  const { provider, request, concurrency } = attempt;
  const { signal } = request;
  if (request.cancel_requested || signal.aborted) return;
  const claimed = claimAttemptWire(provider, signal, concurrency);
  const { wire } = claimed;
  let timedOut = false;
  const deadline = createIdleDeadline(attempt.scheduler, attempt.idle_timeout_ms, () => {
    timedOut = true;
    wire.abort(new DOMException('provider idle deadline', 'TimeoutError'));
  });
  const timeout = () => new AdapterError('timeout', { provider, detail: 'idle_deadline' });
  let pieces: AsyncIterator<string> | undefined;
  try {
    const messages = await readAll(request.input, signal);
    if (messages === null) return;
    deadline.arm();
    pieces = attempt.open(messages, wire.signal)[Symbol.asyncIterator]();
    let index = 0;
    for (;;) {
      let step: IteratorResult<string>;
      try {
        step = await pieces.next();
      } catch (failure) {
        if (signal.aborted) return;
        if (timedOut) throw timeout();
        throw attempt.classify(failure);
      }
      if (signal.aborted) return;
      if (timedOut) throw timeout();
      if (step.done === true) return;
      deadline.arm();
      for (const text of splitDelta(step.value, attempt.max_delta_chars)) {
        yield { type: 'delta', index, text };
        index += 1;
        if (signal.aborted) return;
      }
    }
  } finally {
    deadline.stop();
    // Closes the connection when the consumer stopped early; a no-op after a clean end.
    claimed.release();
    pieces?.return?.().catch(() => undefined);
  }
}
