/** Bounded memory of recently applied idempotency keys. */

/** Remembers the last `size` distinct keys; the oldest is forgotten first (insertion order). */
export class DedupeWindow {
  // A Map keeps insertion order, so the first key is always the oldest one.
  private readonly keys = new Map<string, true>();
  /** Most keys remembered. */
  readonly size: number;

  /** Creates an empty window; size must be a positive integer. */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`dedupe window must be a positive integer, received ${size}`);
    }
    this.size = size;
  }

  /** Whether the key is remembered. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Remembers a key, forgetting the oldest one when the window is full. */
  add(key: string): void {
    if (this.keys.has(key)) return;
    this.keys.set(key, true);
    if (this.keys.size > this.size) {
      const oldest = this.keys.keys().next();
      if (oldest.done !== true) this.keys.delete(oldest.value);
    }
  }
}
