/**
 * The bounded input of one node: items appended by its upstream edges, replayable from the
 * start by every provider attempt (a retry or a switch reads the same input again). Bounded:
 * an append past `capacity` is refused, never queued.
 */

/** Why an append was refused. */
export type AppendRefusal = 'full' | 'closed';

/** Bounded, append-only, replayable input of one node. */
export class InputLog<TItem> {
  private readonly items: TItem[] = [];
  private ended = false;
  private readonly waiters = new Set<() => void>();

  /** Most items the log holds. */
  readonly capacity: number;

  /** Creates a log holding at most `capacity` items. */
  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Appends one item; returns the refusal when the log is full or closed. */
  append(item: TItem): AppendRefusal | null {
    if (this.ended) return 'closed';
    if (this.items.length >= this.capacity) return 'full';
    this.items.push(item);
    this.wake();
    return null;
  }

  /** No more items will come. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.wake();
  }

  /** Items appended so far. */
  get size(): number {
    return this.items.length;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.ended;
  }

  /** A reader from the first item; it ends when the log closes or `signal` aborts. */
  reader(signal: AbortSignal): AsyncIterable<TItem> {
    return { [Symbol.asyncIterator]: () => this.read(signal) };
  }

  private async *read(signal: AbortSignal): AsyncGenerator<TItem, void, undefined> {
    let at = 0;
    for (;;) {
      if (signal.aborted) return;
      const item = this.items[at];
      if (at < this.items.length && item !== undefined) {
        at += 1;
        yield item;
        continue;
      }
      if (this.ended) return;
      await this.next(signal);
    }
  }

  private next(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
