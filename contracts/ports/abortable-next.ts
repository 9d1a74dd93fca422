/**
 * Reading an async iterator until a signal aborts, without `Promise.race`. A race per step adds
 * one reaction to a never-settling abort promise on every call, so a long stream would keep
 * one closure per chunk alive until it ends; here one abort listener wakes whichever read is
 * pending, and each step allocates one promise.
 */

/** What {@link AbortableReader.next} resolves with when the signal aborted first. */
export const ABORTED: unique symbol = Symbol('aborted');

/** Step-by-step reads of one iterator, each ending early on abort. */
export interface AbortableReader<TValue> {
  /** The next step, or {@link ABORTED} once the signal aborted (also while a step was pending). */
  next(): Promise<IteratorResult<TValue> | typeof ABORTED>;
  /** Removes the abort listener; call once, when done reading. */
  dispose(): void;
}

/** Wraps `iterator` so each read settles on its next step or on `signal`'s abort, whichever is first. */
export function abortableReader<TValue>(
  iterator: AsyncIterator<TValue>,
  signal: AbortSignal,
): AbortableReader<TValue> {
  let wake: ((value: typeof ABORTED) => void) | null = null;
  const onAbort = (): void => wake?.(ABORTED);
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    next() {
      if (signal.aborted) return Promise.resolve(ABORTED);
      return new Promise((resolve, reject) => {
        wake = resolve;
        iterator.next().then(resolve, reject);
      });
    },
    dispose() {
      wake = null;
      signal.removeEventListener('abort', onAbort);
    },
  };
}
