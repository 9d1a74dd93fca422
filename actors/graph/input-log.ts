/**
 * The accepted input of one node: what the node took from its inbound edge buffers (or the turn
 * input, for a source node), kept so that every provider attempt reads it from the start (a retry
 * or a switch re-reads exactly what the first attempt read). Shed items never enter it, so a
 * retry after shedding reads the same sequence. Readers pull from the edges only when they reach
 * the end of the log, so a slow consumer leaves items in the bounded edge buffers, where RK-12/13/14
 * see them. Bounded: the log keeps the last `capacity` items; once it had to forget one, it is no
 * longer replayable (see docs/adr/0016-graph-edge-buffers.md).
 */

/** A reader reached an item the log already forgot (checked at attempt start, so a defect). */
export class InputNotReplayableError extends Error {
  override readonly name = 'InputNotReplayableError';
  /** Builds the error; the message names positions only, never content. */
  constructor(position: number, oldest: number) {
    super(`input log: position ${position} was forgotten (oldest kept ${oldest})`);
  }
}

/** Bounded, replayable input of one node, filled by its readers pulling from `source`. */
export class InputLog<TItem> {
  // A ring once full: absolute position p lives at p % capacity while p >= total - capacity.
  private readonly items: TItem[] = [];
  private total = 0;
  private sealed = false;
  private readonly waiters = new Set<() => void>();
  private readonly source: (() => TItem | undefined) | undefined;
  private appended: ((item: TItem) => void) | undefined;

  /** Most items the log keeps for replay. */
  readonly capacity: number;

  /** Creates a log keeping `capacity` items; readers pull new items from `source`. */
  constructor(capacity: number, source?: () => TItem | undefined) {
    this.capacity = Math.max(1, capacity);
    this.source = source;
  }

  /** Accepts one item (a source node's turn input, or an item pulled from the edges). */
  append(item: TItem): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else this.items[this.total % this.capacity] = item;
    this.total += 1;
    this.appended?.(item);
  }

  /** Calls `listener` with every item accepted from now on, once each (replays do not repeat). */
  onAppend(listener: (item: TItem) => void): void {
    this.appended = listener;
  }

  /** Nothing new will reach `source` any more: readers end once it is drained. */
  close(): void {
    if (this.sealed) return;
    this.sealed = true;
    this.wake();
  }

  /** `source` may have something new: wakes waiting readers. */
  notify(): void {
    this.wake();
  }

  /** Items accepted so far. */
  get size(): number {
    return this.total;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.sealed;
  }

  /** True while a new reader would read every accepted item from the first. */
  get replayable(): boolean {
    return this.total <= this.capacity;
  }

  /** A reader from the first item; it ends when the log is closed and drained, or `signal` aborts. */
  reader(signal: AbortSignal): AsyncIterable<TItem> {
    return { [Symbol.asyncIterator]: () => this.read(signal) };
  }

  private async *read(signal: AbortSignal): AsyncGenerator<TItem, void, undefined> {
    let at = 0;
    for (;;) {
      if (signal.aborted) return;
      if (at < this.total) {
        if (this.total - at > this.capacity) {
          throw new InputNotReplayableError(at, this.total - this.capacity);
        }
        const item = this.items[at % this.capacity] as TItem;
        at += 1;
        yield item;
        continue;
      }
      // Pulling here, not when the producer offers, is what makes a slow consumer back up
      // into its edge buffers instead of into this log.
      const pulled = this.source?.();
      if (pulled !== undefined) {
        this.append(pulled);
        continue;
      }
      if (this.sealed) return;
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
    // Each waiter deletes itself; a Set skips deleted entries, so no copy is needed.
    for (const waiter of this.waiters) waiter();
  }
}
