/**
 * Real time for a worker process: a {@link RuntimeClock} on the monotonic clock whose pending
 * timers can all be cleared at shutdown, so a drained worker leaves nothing that keeps Node alive.
 */
import { performance } from 'node:perf_hooks';
import type { RuntimeClock } from '../../actors/index.ts';

/** A real-time runtime clock that owns its timers. */
export type RealClock = RuntimeClock & {
  /** Clears every pending timer; later `setTimeout` calls are ignored. */
  dispose(): void;
};

/** Creates a real clock: runtime ms since creation (integer), wall ms from `Date.now`. */
export function createRealClock(): RealClock {
  const origin = performance.now();
  const timers = new Map<number, () => void>();
  let next = 1;
  let disposed = false;
  return {
    now: () => Math.floor(performance.now() - origin),
    wallNow: () => Date.now(),
    setTimeout(run, delayMs) {
      const handle = next++;
      if (disposed) return handle;
      const fire = () => {
        timers.delete(handle);
        run();
      };
      // Node clamps setTimeout(0) to 1 ms; a zero delay means "after the current work".
      if (delayMs <= 0) {
        const immediate = setImmediate(fire);
        timers.set(handle, () => clearImmediate(immediate));
      } else {
        const timer = setTimeout(fire, delayMs);
        timers.set(handle, () => clearTimeout(timer));
      }
      return handle;
    },
    clearTimeout(handle) {
      timers.get(handle)?.();
      timers.delete(handle);
    },
    dispose() {
      disposed = true;
      for (const clear of timers.values()) clear();
      timers.clear();
    },
  };
}
