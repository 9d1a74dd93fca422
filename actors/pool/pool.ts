/**
 * RK-26 execution pool: a bounded FIFO queue in front of N concurrent slots. Work that does not
 * fit is rejected at once (`full`), work after `drain()` is rejected (`closed`); there is no
 * unbounded queue. Queue time (submit -> start) and run time (start -> end) are measured with
 * an injected clock, so tests and replay never read the wall clock.
 */

/** Reads the current time in ms (runtime clock); injected. */
export type PoolClock = () => number;

/** Work run in a slot; a sync throw or a rejected promise is a failed task, not a pool error. */
type PoolTask<TValue> = () => TValue | PromiseLike<TValue>;

/** How a task ended, with its queue and run time. */
type PoolTaskResult<TValue> = (
  | { readonly status: 'fulfilled'; readonly value: TValue }
  | { readonly status: 'rejected'; readonly error: unknown }
) & { readonly id: number; readonly queue_ms: number; readonly run_ms: number };

/** Result of {@link ExecutionPool.submit}; `done` never rejects. */
type SubmitResult<TValue> =
  | { readonly accepted: true; readonly id: number; readonly done: Promise<PoolTaskResult<TValue>> }
  | { readonly accepted: false; readonly reason: 'full' | 'closed' };

/** Counters and gauges of a pool. */
export type PoolStats = {
  /** Every submit call, accepted or not. */
  readonly submitted: number;
  /** Tasks that finished, fulfilled or rejected. */
  readonly completed: number;
  /** Completed tasks that threw or rejected. */
  readonly failed: number;
  /** Submits refused (`full` or `closed`). */
  readonly rejected: number;
  /** Queued tasks taken back by their caller before they started. */
  readonly withdrawn: number;
  readonly in_flight: number;
  readonly queue_depth: number;
  readonly queue_time_ms_total: number;
  readonly run_time_ms_total: number;
  readonly queue_time_ms_max: number;
  readonly run_time_ms_max: number;
};

/** Pool sizing; both are integers >= 1. */
export type PoolOptions = {
  /** Most tasks waiting for a slot (default 64); in-flight tasks do not count. */
  readonly capacity?: number;
  /** Slots running at once (default 4). */
  readonly concurrency?: number;
  readonly clock: PoolClock;
};

/** Defaults of {@link PoolOptions}. */
export const POOL_DEFAULTS = { capacity: 64, concurrency: 4 } as const;

/** A bounded FIFO execution pool. */
export type ExecutionPool = {
  submit<TValue>(task: PoolTask<TValue>): SubmitResult<TValue>;
  /**
   * Takes back a task that is still queued: it will never run, its place is free at once, and
   * its `done` settles `rejected` with a {@link PoolTaskWithdrawn}. False once it started.
   */
  withdraw(id: number): boolean;
  stats(): PoolStats;
  /** Refuses new work, waits for queued and in-flight tasks, then closes; idempotent. */
  drain(): Promise<void>;
  readonly state: 'open' | 'draining' | 'closed';
};

type Outcome<TValue> =
  { status: 'fulfilled'; value: TValue } | { status: 'rejected'; error: unknown };

type Entry = {
  readonly id: number;
  readonly submitted_at: number;
  readonly start: () => void;
  /** Settles `done` of a task that will never start. */
  readonly cancel: () => void;
};

/** What `done` of a withdrawn task is rejected with. */
export class PoolTaskWithdrawn extends Error {
  /** Builds the error. */
  constructor(id: number) {
    super(`pool task ${String(id)} was withdrawn before it started`);
    this.name = 'PoolTaskWithdrawn';
  }
}

function size(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new RangeError(`pool ${name}: expected an integer >= 1, received ${String(value)}`);
  return n;
}

/** Creates a pool; throws a RangeError for a bad size (config mistakes fail at startup). */
export function createExecutionPool(options: PoolOptions): ExecutionPool {
  const capacity = size('capacity', options.capacity, POOL_DEFAULTS.capacity);
  const concurrency = size('concurrency', options.concurrency, POOL_DEFAULTS.concurrency);
  const now = (): number => {
    const t = options.clock();
    return Number.isFinite(t) ? t : 0;
  };
  const queue: (Entry | undefined)[] = [];
  let head = 0;
  let state: ExecutionPool['state'] = 'open';
  let nextId = 1;
  let inFlight = 0;
  const counts = { submitted: 0, completed: 0, failed: 0, rejected: 0, withdrawn: 0 };
  const times = { queue_total: 0, run_total: 0, queue_max: 0, run_max: 0 };
  let drained: Promise<void> | undefined;
  let resolveDrain: (() => void) | undefined;

  const depth = (): number => queue.length - head;

  function settle(): void {
    if (state !== 'draining' || inFlight > 0 || depth() > 0) return;
    state = 'closed';
    resolveDrain?.();
  }

  function pump(): void {
    while (inFlight < concurrency && depth() > 0) {
      const entry = queue[head];
      // A started entry is let go at once: its task holds the caller's whole request.
      queue[head] = undefined;
      head += 1;
      // Compact the consumed prefix now and then, so the array stays bounded.
      if (head > capacity) {
        queue.splice(0, head);
        head = 0;
      }
      entry?.start();
    }
    settle();
  }

  function submit<TValue>(task: PoolTask<TValue>): SubmitResult<TValue> {
    counts.submitted += 1;
    if (state !== 'open') {
      counts.rejected += 1;
      return { accepted: false, reason: 'closed' };
    }
    if (depth() >= capacity) {
      counts.rejected += 1;
      return { accepted: false, reason: 'full' };
    }
    const id = nextId++;
    const submitted_at = now();
    let finish!: (result: PoolTaskResult<TValue>) => void;
    const done = new Promise<PoolTaskResult<TValue>>((resolve) => (finish = resolve));
    const start = (): void => {
      inFlight += 1;
      const started_at = now();
      const queue_ms = Math.max(0, started_at - submitted_at);
      const end = (outcome: Outcome<TValue>): void => {
        const run_ms = Math.max(0, now() - started_at);
        inFlight -= 1;
        counts.completed += 1;
        if (outcome.status === 'rejected') counts.failed += 1;
        times.queue_total += queue_ms;
        times.run_total += run_ms;
        times.queue_max = Math.max(times.queue_max, queue_ms);
        times.run_max = Math.max(times.run_max, run_ms);
        finish({ ...outcome, id, queue_ms, run_ms });
        pump();
      };
      let result: TValue | PromiseLike<TValue>;
      try {
        result = task();
      } catch (error) {
        end({ status: 'rejected', error });
        return;
      }
      void Promise.resolve(result).then(
        (value) => end({ status: 'fulfilled', value }),
        (error: unknown) => end({ status: 'rejected', error }),
      );
    };
    const cancel = (): void =>
      finish({ status: 'rejected', error: new PoolTaskWithdrawn(id), id, queue_ms: 0, run_ms: 0 });
    queue.push({ id, submitted_at, start, cancel });
    pump();
    return { accepted: true, id, done };
  }

  function withdraw(id: number): boolean {
    for (let at = head; at < queue.length; at += 1) {
      const entry = queue[at];
      if (entry?.id !== id) continue;
      queue.splice(at, 1);
      counts.withdrawn += 1;
      entry.cancel();
      settle();
      return true;
    }
    return false;
  }

  return {
    submit,
    withdraw,
    stats: () => ({
      ...counts,
      in_flight: inFlight,
      queue_depth: depth(),
      queue_time_ms_total: times.queue_total,
      run_time_ms_total: times.run_total,
      queue_time_ms_max: times.queue_max,
      run_time_ms_max: times.run_max,
    }),
    drain() {
      if (drained !== undefined) return drained;
      drained = new Promise<void>((resolve) => (resolveDrain = resolve));
      if (state === 'open') state = 'draining';
      settle();
      return drained;
    },
    get state() {
      return state;
    },
  };
}
