/**
 * A bounded FIFO that never blocks its producer: a push beyond capacity is dropped and counted.
 * Each inspector client has one, so a slow page costs at most `capacity` messages of memory and
 * never holds up the runtime that feeds it.
 */

/** A bounded FIFO of `T` that drops what does not fit. */
export type DropQueue<T> = {
  /** Appends `item`, or drops it when full; returns whether it was kept. */
  push(item: T): boolean;
  /** Removes and returns everything queued, oldest first. */
  take(): T[];
  /** Items queued now. */
  readonly size: number;
  /** Items dropped since the queue was created. */
  readonly dropped: number;
  /** Items dropped since the last call (resets the counter it reads). */
  takeDropped(): number;
};

/** Creates a queue holding at most `capacity` (≥ 1) items. */
export function createDropQueue<T>(capacity: number): DropQueue<T> {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError(`queue capacity: expected an integer >= 1, received ${capacity}`);
  let items: T[] = [];
  let dropped = 0;
  let droppedSinceTake = 0;
  return {
    push(item) {
      if (items.length >= capacity) {
        dropped += 1;
        droppedSinceTake += 1;
        return false;
      }
      items.push(item);
      return true;
    },
    take() {
      const out = items;
      items = [];
      return out;
    },
    get size() {
      return items.length;
    },
    get dropped() {
      return dropped;
    },
    takeDropped() {
      const n = droppedSinceTake;
      droppedSinceTake = 0;
      return n;
    },
  };
}
