/**
 * Injected time for edges and fences: a runtime clock with timers, and a manual implementation
 * that replay and tests advance by hand so every run is exact.
 */

/** Opaque handle of a scheduled timer. */
export type TimerHandle = number;

/** Runtime time, wall-clock time and timers on the runtime timebase (all in integer ms). */
export interface RuntimeClock {
  /** Runtime (monotonic) time in ms. */
  now(): number;
  /** Wall-clock time in ms, stamped on signals only; never used for decisions. */
  wallNow(): number;
  /** Runs `run` once `delayMs` of runtime time has passed. */
  setTimeout(run: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer; unknown or already fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** A `RuntimeClock` that only moves when advanced. */
export interface ManualClock extends RuntimeClock {
  /** Moves time forward by `ms`, firing due timers in (due time, creation) order at their due time. */
  advance(ms: number): void;
  /** Number of timers not yet fired or cleared. */
  pendingTimers(): number;
}

/** Options of `createManualClock`. */
export interface ManualClockOptions {
  /** Initial runtime time; default 0. */
  readonly startMs?: number;
  /** Wall-clock time minus runtime time; default 1_700_000_000_000. */
  readonly wallOffsetMs?: number;
  /** Bound on pending timers; scheduling beyond it throws. Default 4096. */
  readonly maxTimers?: number;
}

interface PendingTimer {
  readonly handle: TimerHandle;
  readonly due: number;
  readonly run: () => void;
}

/** Creates a deterministic clock for replay and tests: timers fire at their due time, ties FIFO. */
export function createManualClock(options: ManualClockOptions = {}): ManualClock {
  let now = options.startMs ?? 0;
  const wallOffset = options.wallOffsetMs ?? 1_700_000_000_000;
  const maxTimers = options.maxTimers ?? 4096;
  let nextHandle = 1;
  const timers = new Map<TimerHandle, PendingTimer>();

  const nextDue = (limit: number): PendingTimer | undefined => {
    let best: PendingTimer | undefined;
    for (const timer of timers.values()) {
      if (timer.due > limit) continue;
      // Map iteration is insertion order, so `<` keeps FIFO among equal due times.
      if (best === undefined || timer.due < best.due) best = timer;
    }
    return best;
  };

  return {
    now: () => now,
    wallNow: () => now + wallOffset,
    setTimeout(run, delayMs) {
      if (timers.size >= maxTimers) {
        throw new RangeError(`manual clock: more than ${maxTimers} pending timers`);
      }
      const handle = nextHandle++;
      timers.set(handle, { handle, due: now + Math.max(0, Math.floor(delayMs)), run });
      return handle;
    },
    clearTimeout(handle) {
      timers.delete(handle);
    },
    advance(ms) {
      const target = now + Math.max(0, Math.floor(ms));
      for (let timer = nextDue(target); timer !== undefined; timer = nextDue(target)) {
        timers.delete(timer.handle);
        now = Math.max(now, timer.due);
        timer.run();
      }
      now = target;
    },
    pendingTimers: () => timers.size,
  };
}
