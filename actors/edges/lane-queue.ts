/**
 * The bounded storage of one lane: a fixed-capacity ring of queued entries with byte accounting.
 * Capacity is fixed at construction; nothing here can grow past it.
 */
import type { EventRecord, Lane } from '../../contracts/index.ts';

/** An EventRecord with the schema-required envelope fields the buffer relies on typed as present. */
export type EdgeRecord = EventRecord & {
  readonly event_id: string;
  readonly lane: Lane;
  readonly runtime_sequence: number;
  readonly runtime_timestamp_ms: number;
};

/** One source event folded into a merged entry. */
export interface MergeSource {
  readonly event_id: string;
  readonly runtime_sequence: number;
}

/** One queued item: the record, its opaque payload and bookkeeping. */
export interface QueueEntry<TPayload> {
  readonly record: EdgeRecord;
  readonly payload: TPayload;
  readonly bytes: number;
  /** Runtime time the entry entered the queue (time-in-queue origin). */
  readonly enqueuedAtMs: number;
  /** Sources when this entry is a merge (>= 2), else empty. */
  readonly sources: readonly MergeSource[];
}

/** The runtime sequences an entry stands for: its merge sources, or its own. */
export function entrySequences(entry: QueueEntry<unknown>): number[] {
  return entry.sources.length > 0
    ? entry.sources.map((s) => s.runtime_sequence)
    : [entry.record.runtime_sequence];
}

/** Fixed-capacity FIFO ring with a running byte total. */
export class LaneQueue<TPayload> {
  private readonly ring: (QueueEntry<TPayload> | undefined)[];
  private head = 0;
  private count = 0;
  private byteTotal = 0;
  /** Slots in the ring. */
  readonly capacity: number;

  /** Allocates a ring of `capacity` slots. */
  constructor(capacity: number) {
    this.capacity = capacity;
    this.ring = new Array<QueueEntry<TPayload> | undefined>(capacity).fill(undefined);
  }

  /** Items queued. */
  get size(): number {
    return this.count;
  }

  /** Bytes queued. */
  get bytes(): number {
    return this.byteTotal;
  }

  /** True when no slot is free. */
  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** The oldest entry. */
  peekHead(): QueueEntry<TPayload> | undefined {
    return this.count === 0 ? undefined : this.ring[this.head];
  }

  /** The newest entry. */
  peekTail(): QueueEntry<TPayload> | undefined {
    return this.count === 0 ? undefined : this.ring[this.slot(this.count - 1)];
  }

  /** Appends; the caller checks `full` first, so an overflow here is a bug. */
  push(entry: QueueEntry<TPayload>): void {
    if (this.full) throw new RangeError('lane queue overflow');
    this.ring[this.slot(this.count)] = entry;
    this.count += 1;
    this.byteTotal += entry.bytes;
  }

  /** Removes and returns the oldest entry. */
  shift(): QueueEntry<TPayload> | undefined {
    const entry = this.peekHead();
    if (entry === undefined) return undefined;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count -= 1;
    this.byteTotal -= entry.bytes;
    return entry;
  }

  /** Replaces the newest entry (used by merge). */
  replaceTail(entry: QueueEntry<TPayload>): void {
    const old = this.peekTail();
    if (old === undefined) throw new RangeError('lane queue empty');
    this.ring[this.slot(this.count - 1)] = entry;
    this.byteTotal += entry.bytes - old.bytes;
  }

  /** Removes every entry, oldest first. */
  drain(): QueueEntry<TPayload>[] {
    const out: QueueEntry<TPayload>[] = [];
    for (let e = this.shift(); e !== undefined; e = this.shift()) out.push(e);
    return out;
  }

  private slot(offset: number): number {
    return (this.head + offset) % this.capacity;
  }
}
