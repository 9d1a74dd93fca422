/**
 * What every streaming attempt loop (LLM, STT, TTS) starts and ends with: a slot of the
 * adapter's concurrency limit, and the "wire" signal that closes the provider connection on the
 * caller's abort, on a deadline, or when the consumer stops early.
 */
import { AdapterError } from '../../../contracts/index.ts';

/** A claimed slot and its wire. */
export interface AttemptWire {
  /** Aborted with the caller's reason, by the loop's own failures, and by `release`. */
  readonly wire: AbortController;
  /** Gives the slot back and closes the wire (a no-op abort after a clean end); call once. */
  release(): void;
}

/**
 * Claims a concurrency slot and opens the wire for one attempt.
 * @throws AdapterError `rate_limited` (`max_concurrency`) when every slot is taken.
 */
export function claimAttemptWire(
  provider: string,
  signal: AbortSignal,
  concurrency: { readonly max: number; readonly active: { count: number } },
): AttemptWire {
  if (concurrency.active.count >= concurrency.max) {
    throw new AdapterError('rate_limited', { provider, detail: 'max_concurrency' });
  }
  concurrency.active.count += 1;
  const wire = new AbortController();
  const forward = () => wire.abort(signal.reason);
  signal.addEventListener('abort', forward, { once: true });
  return {
    wire,
    release() {
      signal.removeEventListener('abort', forward);
      wire.abort();
      concurrency.active.count -= 1;
    },
  };
}
