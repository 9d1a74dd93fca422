/** The idle deadline of a streaming attempt, waiting on the injected scheduler. */
import type { ProviderScheduler } from '../../../contracts/internal.ts';

/** A deadline that fires once `ms` pass without a new `arm()`. */
export interface IdleDeadline {
  /** (Re)starts the wait. */
  arm(): void;
  /** Cancels the wait. */
  stop(): void;
}

/** Creates a re-armable deadline on `scheduler` that calls `fire` once it passes. */
export function createIdleDeadline(
  scheduler: ProviderScheduler,
  ms: number,
  fire: () => void,
): IdleDeadline {
  let pending: AbortController | null = null;
  const stop = () => {
    pending?.abort();
    pending = null;
  };
  return {
    arm() {
      stop();
      const current = new AbortController();
      pending = current;
      void scheduler.sleep(ms, current.signal).then((elapsed) => {
        if (elapsed && pending === current) fire();
      });
    },
    stop,
  };
}
