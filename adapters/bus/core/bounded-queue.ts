/** A fixed-capacity FIFO ring buffer: the storage of every inbound lane queue. */

/** Storage slots a queue starts with; the ring doubles (up to its capacity) as it fills. */
const INITIAL_SLOTS = 16;

/** FIFO of at most `capacity` items; pushing onto a full queue is refused, never grown. */
export class BoundedQueue<TItem> {
  /** Most items the queue holds. */
  readonly capacity: number;
  // Storage grows on demand: a queue of a large capacity that stays nearly empty (the common
  // case) costs no more than a small one to create and to collect.
  private slots: (TItem | undefined)[];
  private head = 0;
  private count = 0;

  /** Creates an empty queue; capacity must be a positive integer. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`queue capacity must be a positive integer, received ${capacity}`);
    }
    this.capacity = capacity;
    this.slots = new Array<TItem | undefined>(Math.min(capacity, INITIAL_SLOTS));
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
    if (this.count === this.slots.length) this.grow();
    this.slots[(this.head + this.count) % this.slots.length] = item;
    this.count += 1;
    return true;
  }

  /** Removes and returns the oldest item. */
  shift(): TItem | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.head];
    // Clear the slot so a consumed envelope is not kept alive by the ring.
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.slots.length;
    this.count -= 1;
    return item;
  }

  /** Doubles the storage (at most to the capacity), moving the items to its start in order. */
  private grow(): void {
    const size = Math.min(this.capacity, this.slots.length * 2);
    const slots = new Array<TItem | undefined>(size);
    for (let i = 0; i < this.count; i++) slots[i] = this.slots[(this.head + i) % this.slots.length];
    this.slots = slots;
    this.head = 0;
  }

  /** Removes every item and returns them oldest first. */
  clear(): TItem[] {
    const items: TItem[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) items.push(item);
    return items;
  }
}
