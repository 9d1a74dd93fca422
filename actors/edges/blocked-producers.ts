/**
 * RK-14 bounded blocking: producers parked by a full `block` lane, FIFO, each for at most
 * `max_block_time_ms` of runtime time. Both the wait list and the wait are bounded.
 */
import type { RuntimeClock, TimerHandle } from './clock.ts';
import type { QueueEntry } from './lane-queue.ts';

/** How a blocked offer ended: admitted into the queue, or shed when its wait expired. */
export type BlockSettlement = 'admitted' | 'shed';

interface Waiter<TPayload> {
  readonly entry: QueueEntry<TPayload>;
  readonly timer: TimerHandle;
  readonly settle: (result: BlockSettlement) => void;
}

/** The wait list of one lane. */
export class BlockedProducers<TPayload> {
  private readonly waiters: Waiter<TPayload>[] = [];
  private readonly clock: RuntimeClock;
  private readonly capacity: number;
  private readonly maxBlockMs: number;
  private readonly onExpire: (entry: QueueEntry<TPayload>) => void;

  /** Creates a wait list bounded by `capacity`; `onExpire` sheds the waiter whose time ran out. */
  constructor(
    clock: RuntimeClock,
    capacity: number,
    maxBlockMs: number,
    onExpire: (entry: QueueEntry<TPayload>) => void,
  ) {
    this.clock = clock;
    this.capacity = capacity;
    this.maxBlockMs = maxBlockMs;
    this.onExpire = onExpire;
  }

  /** Producers waiting. */
  get size(): number {
    return this.waiters.length;
  }

  /** True when no producer may park. */
  get full(): boolean {
    return this.waiters.length >= this.capacity;
  }

  /** The producer that waited longest. */
  peek(): QueueEntry<TPayload> | undefined {
    return this.waiters[0]?.entry;
  }

  /** Parks a producer; the promise settles when it is admitted or shed. */
  park(entry: QueueEntry<TPayload>): Promise<BlockSettlement> {
    if (this.full) throw new RangeError('blocked producer list overflow');
    return new Promise<BlockSettlement>((resolve) => {
      const timer = this.clock.setTimeout(() => this.expire(entry), this.maxBlockMs);
      this.waiters.push({ entry, timer, settle: resolve });
    });
  }

  /** Removes the longest-waiting producer, marking it admitted. */
  admitNext(): QueueEntry<TPayload> | undefined {
    const waiter = this.waiters.shift();
    if (waiter === undefined) return undefined;
    this.clock.clearTimeout(waiter.timer);
    waiter.settle('admitted');
    return waiter.entry;
  }

  /** Removes every producer, marking each shed (edge flushed or closed), oldest first. */
  shedAll(): QueueEntry<TPayload>[] {
    const all = this.waiters.splice(0, this.waiters.length);
    for (const waiter of all) {
      this.clock.clearTimeout(waiter.timer);
      waiter.settle('shed');
    }
    return all.map((w) => w.entry);
  }

  private expire(entry: QueueEntry<TPayload>): void {
    const index = this.waiters.findIndex((w) => w.entry === entry);
    const [waiter] = index < 0 ? [] : this.waiters.splice(index, 1);
    if (waiter === undefined) return;
    this.onExpire(waiter.entry);
    waiter.settle('shed');
  }
}
