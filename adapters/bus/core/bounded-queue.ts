/** A fixed-capacity FIFO ring buffer: the storage of every inbound lane queue. */

/** FIFO of at most `capacity` items; pushing onto a full queue is refused, never grown. */
export class BoundedQueue<TItem> {
  /** Most items the queue holds. */
  readonly capacity: number;
  private readonly slots: (TItem | undefined)[];
  private head = 0;
  private count = 0;

  /** Creates an empty queue; capacity must be a positive integer. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`queue capacity must be a positive integer, received ${capacity}`);
    }
    this.capacity = capacity;
    this.slots = new Array<TItem | undefined>(capacity);
  }

  /** Number of queued items. */
  get size(): number {
    return this.count;
  }

  /** Whether another push would be refused. */
  isFull(): boolean {
    return this.count === this.capacity;
  }

  /** Appends an item; returns false (and keeps the queue unchanged) when full. */
  push(item: TItem): boolean {
    if (this.isFull()) return false;
    this.slots[(this.head + this.count) % this.capacity] = item;
    this.count += 1;
    return true;
  }

  /** Removes and returns the oldest item. */
  shift(): TItem | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.head];
    // Clear the slot so a consumed envelope is not kept alive by the ring.
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count -= 1;
    return item;
  }

  /** Removes every item and returns them oldest first. */
  clear(): TItem[] {
    const items: TItem[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) items.push(item);
    return items;
  }
}
