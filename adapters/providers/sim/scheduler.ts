/**
 * The three `ProviderScheduler` implementations: real time (Node timers), a manual clock whose
 * `advance(ms)` fires due sleeps in due-time order, and zero latency (no waiting at all).
 */
import type { ProviderScheduler } from '../../../contracts/internal.ts';

/** Waits for `signal` to abort (forever without one), then resolves `false`. */
function untilAbort(signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    signal?.addEventListener('abort', () => resolve(false), { once: true });
  });
}

/** A scheduler on real time: `performance.now()` and `setTimeout`. */
export function createRealScheduler(): ProviderScheduler {
  return {
    now: () => performance.now(),
    sleep(ms, signal) {
      if (signal?.aborted === true) return Promise.resolve(false);
      if (ms <= 0) return Promise.resolve(true);
      if (!Number.isFinite(ms)) return untilAbort(signal);
      return new Promise((resolve) => {
        const onAbort = () => {
          clearTimeout(timer);
          resolve(false);
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve(true);
        }, ms);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

/** A scheduler where time stands still at 0 and every finite sleep ends at once (benchmarks). */
export function createZeroLatencyScheduler(): ProviderScheduler {
  return {
    now: () => 0,
    sleep(ms, signal) {
      if (signal?.aborted === true) return Promise.resolve(false);
      return Number.isFinite(ms) ? Promise.resolve(true) : untilAbort(signal);
    },
  };
}

/** A scheduler driven by hand: time moves only in {@link ManualScheduler.advance}. */
export interface ManualScheduler extends ProviderScheduler {
  /**
   * Moves time forward by `ms`, firing due sleeps one at a time in (due time, creation) order and
   * letting the woken code run (and schedule more sleeps) before the next one fires.
   */
  advance(ms: number): Promise<void>;
  /** Advances to each next due sleep until none is left; `Infinity` sleeps never fire. */
  runAll(): Promise<void>;
  /** Lets pending promise continuations run without moving time. */
  flush(): Promise<void>;
  /** Number of sleeps waiting (finite or not). */
  pending(): number;
}

interface Timer {
  readonly due: number;
  readonly seq: number;
  readonly wake: (elapsed: boolean) => void;
}

/** One macrotask turn: every queued microtask (and those it queues) runs before it ends. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Creates a manual clock starting at `start_ms` (default 0). */
export function createManualScheduler(start_ms = 0): ManualScheduler {
  let now = start_ms;
  let seq = 0;
  const timers: Timer[] = [];
  const nextDue = (limit: number): Timer | undefined => {
    let best: Timer | undefined;
    for (const timer of timers) {
      if (timer.due > limit) continue;
      if (
        best === undefined ||
        timer.due < best.due ||
        (timer.due === best.due && timer.seq < best.seq)
      ) {
        best = timer;
      }
    }
    return best;
  };
  const remove = (timer: Timer) => {
    const at = timers.indexOf(timer);
    if (at >= 0) timers.splice(at, 1);
  };
  const scheduler: ManualScheduler = {
    now: () => now,
    sleep(ms, signal) {
      if (signal?.aborted === true) return Promise.resolve(false);
      if (ms <= 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const onAbort = () => {
          remove(timer);
          resolve(false);
        };
        const timer: Timer = {
          due: now + ms,
          seq: (seq += 1),
          wake: (elapsed) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(elapsed);
          },
        };
        timers.push(timer);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    async advance(ms) {
      const target = now + Math.max(0, ms);
      await turn();
      for (let timer = nextDue(target); timer !== undefined; timer = nextDue(target)) {
        remove(timer);
        now = timer.due;
        timer.wake(true);
        await turn();
      }
      now = target;
    },
    async runAll() {
      await turn();
      for (let timer = nextDue(Infinity); timer !== undefined; timer = nextDue(Infinity)) {
        if (!Number.isFinite(timer.due)) break;
        await scheduler.advance(timer.due - now);
      }
    },
    flush: turn,
    pending: () => timers.length,
  };
  return scheduler;
}
