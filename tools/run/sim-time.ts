/**
 * Simulated time for `rspp run`: one manual clock drives the runtime (machines' delays, stamps)
 * and the providers (their scheduler sleeps on the same clock). Time moves in 1 ms steps and
 * every step lets pending promise work run before the next, so provider streams and machine
 * timers interleave exactly as they would in real time, and every run is the same.
 */
import { createManualClock, type ManualClock } from '../../actors/index.ts';
import type { ProviderScheduler } from '../../contracts/internal.ts';

/** The shared simulated clock, the provider scheduler on it, and the driver. */
export type SimTime = {
  readonly clock: ManualClock;
  readonly scheduler: ProviderScheduler;
  /** Moves time to `target_ms` (never back), running all work due on the way. */
  advanceTo(target_ms: number): Promise<void>;
  /** Runs pending promise work without moving time. */
  settle(): Promise<void>;
};

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Creates simulated time starting at 0 (wall clock = a fixed offset, so output is stable). */
export function createSimTime(): SimTime {
  const clock = createManualClock({
    startMs: 0,
    wallOffsetMs: 1_700_000_000_000,
    maxTimers: 16_384,
  });
  const scheduler: ProviderScheduler = {
    now: () => clock.now(),
    sleep(ms, signal) {
      if (signal?.aborted === true) return Promise.resolve(false);
      if (ms <= 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const onAbort = () => {
          if (handle !== null) clock.clearTimeout(handle);
          resolve(false);
        };
        const handle = Number.isFinite(ms)
          ? clock.setTimeout(() => {
              signal?.removeEventListener('abort', onAbort);
              resolve(true);
            }, ms)
          : null;
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
  const settle = async () => {
    await macrotask();
  };
  return {
    clock,
    scheduler,
    settle,
    async advanceTo(target_ms) {
      await settle();
      while (clock.now() < target_ms) {
        clock.advance(1);
        await settle();
      }
    },
  };
}
