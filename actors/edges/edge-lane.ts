/**
 * One lane of one edge (RK-12/13/14): bounded queue, overflow strategy, time-in-queue limit,
 * watermark hysteresis and flow signals. Order inside one operation: `watermark` / `flow_xoff`
 * before the drops they announce, `drop_notice`s after the drops, then `discontinuity`, and
 * `flow_xon` / `credit_grant` last.
 */
import { BlockedProducers, type BlockSettlement } from './blocked-producers.ts';
import type { RuntimeClock, TimerHandle } from './clock.ts';
import type { LaneConfig } from './config.ts';
import { DropLedger, type DropCounts, type DropKind } from './drop-ledger.ts';
import { LaneQueue, type EdgeRecord, type QueueEntry } from './lane-queue.ts';
import { foldIntoTail, type PayloadMerger } from './merge.ts';
import { LanePressure, type LaneSignal } from './pressure.ts';
import type { SyncLossEmitter } from './sync-loss.ts';
import { timeHighDeadline, type PressureState, type QueueMetrics } from './watermark.ts';

/** Result of one offer. `dropped` means the offered item itself was dropped (with a notice). */
export type OfferOutcome =
  | { readonly kind: 'queued' }
  | { readonly kind: 'merged'; readonly merge_group_id: string }
  | { readonly kind: 'dropped' }
  | { readonly kind: 'rejected'; readonly reason: 'control_queue_full' | 'edge_closed' }
  | { readonly kind: 'blocked'; readonly settled: Promise<BlockSettlement> };

/** Counters and gauges of one lane. */
export type LaneStats = Readonly<DropCounts> & {
  readonly queued: number;
  readonly bytes: number;
  readonly blocked: number;
  readonly pressure: PressureState;
  readonly merged: number;
  readonly rejected: number;
};

/** Collaborators of a lane. */
export interface LaneDeps<TPayload> {
  readonly config: LaneConfig;
  readonly clock: RuntimeClock;
  readonly emit: (signal: LaneSignal) => void;
  readonly merger: PayloadMerger<TPayload> | undefined;
  readonly newMergeGroupId: () => string;
  readonly syncLoss: SyncLossEmitter;
}

/** Runtime state of one lane. */
export class EdgeLane<TPayload> {
  private readonly queue: LaneQueue<TPayload>;
  private readonly waiters: BlockedProducers<TPayload> | undefined;
  private readonly pressure: LanePressure;
  private readonly drops: DropLedger;
  private readonly config: LaneConfig;
  private readonly clock: RuntimeClock;
  private timer: TimerHandle | undefined;
  private timerDue = 0;
  private merged = 0;
  private rejected = 0;
  /** Producers waiting for the lane's pressure to clear (RK-14 backpressure, `flow_xon`). */
  private writers: (() => void)[] = [];
  private readonly deps: LaneDeps<TPayload>;

  /** Creates the lane; `block` lanes get a bounded wait list. */
  constructor(deps: LaneDeps<TPayload>) {
    const { config, clock } = deps;
    this.deps = deps;
    this.config = config;
    this.clock = clock;
    this.queue = new LaneQueue(config.strategy === 'latest_only' ? 1 : config.max_queue_items);
    this.pressure = new LanePressure(config, deps.emit);
    this.drops = new DropLedger(config.sync, deps.syncLoss, deps.emit);
    this.waiters =
      config.strategy === 'block'
        ? new BlockedProducers(clock, config.max_blocked_producers, config.max_block_time_ms, (e) =>
            this.onBlockExpired(e),
          )
        : undefined;
  }

  /** Offers one item; see `OfferOutcome`. */
  offer(record: EdgeRecord, payload: TPayload, bytes: number): OfferOutcome {
    this.expirePhase();
    const outcome = this.admit({
      record,
      payload,
      bytes,
      enqueuedAtMs: this.clock.now(),
      sources: [],
    });
    this.pressure.checkHigh(this.metrics());
    this.drops.flush();
    this.rearm();
    return outcome;
  }

  /** Removes the oldest item, admits parked producers into the freed space, maybe releases. */
  take(): QueueEntry<TPayload> | undefined {
    this.expirePhase();
    const entry = this.queue.shift();
    if (entry !== undefined) {
      this.admitWaiters();
      this.pressure.checkLow(this.metrics(), this.waiters?.size ?? 0);
      this.wakeWriters();
    }
    this.rearm();
    return entry;
  }

  /** True while the lane is not under asserted pressure: a producer may offer freely. */
  get writable(): boolean {
    return this.pressure.state === 'clear';
  }

  /**
   * Resolves once the lane is writable again (its pressure episode ended with `flow_xon`), it
   * was flushed or disposed, or `max_block_time_ms` passed: how a lossless producer honours
   * `flow_xoff` (it is read more slowly), never blocking past the bound (RK-14).
   */
  whenWritable(): Promise<void> {
    if (this.writable) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      const wake = () => {
        if (timer !== undefined) this.clock.clearTimeout(timer);
        timer = undefined;
        resolve();
      };
      timer = this.clock.setTimeout(() => {
        timer = undefined;
        this.writers = this.writers.filter((w) => w !== wake);
        resolve();
      }, this.config.max_block_time_ms);
      this.writers.push(wake);
    });
  }

  /** Applies the time-in-queue limit and the time watermark at the current runtime time. */
  tick(): void {
    this.expirePhase();
    this.pressure.checkHigh(this.metrics());
    this.rearm();
  }

  /** Discards every queued and parked item without notices (cancel flush); returns them. */
  flush(): QueueEntry<TPayload>[] {
    const out = [...this.queue.drain(), ...(this.waiters?.shedAll() ?? [])];
    this.rearm();
    this.wakeWriters(true);
    return out;
  }

  /** Stops the lane's timer and lets every waiting producer go. */
  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeWriters(true);
  }

  /** Depth and age of the oldest item now. */
  metrics(): QueueMetrics {
    const head = this.queue.peekHead();
    const age = head === undefined ? 0 : this.clock.now() - head.enqueuedAtMs;
    return { queue_items: this.queue.size, queue_ms: Math.max(0, age) };
  }

  /** Counters and gauges. */
  stats(): LaneStats {
    return {
      ...this.drops.counts,
      queued: this.queue.size,
      bytes: this.queue.bytes,
      blocked: this.waiters?.size ?? 0,
      pressure: this.pressure.state,
      merged: this.merged,
      rejected: this.rejected,
    };
  }

  private admit(entry: QueueEntry<TPayload>): OfferOutcome {
    const strategy = this.config.strategy;
    if (strategy === 'non_blocking_priority') {
      if (this.fits(entry)) return this.push(entry);
      // ControlLane is never shed: the producer keeps the signal and must retry.
      this.rejected += 1;
      return { kind: 'rejected', reason: 'control_queue_full' };
    }
    if (entry.bytes > this.config.max_queue_bytes) return this.dropIncoming(entry);
    if (strategy === 'latest_only') {
      const merged = this.isAudio(entry) ? this.tryMerge(entry) : undefined;
      if (merged !== undefined) return merged;
      for (const old of this.queue.drain()) this.drop(old, 'superseded');
      return this.push(entry);
    }
    if (strategy === 'sample' && !this.pressure.sampleKeeps()) return this.dropIncoming(entry);
    // Parked producers go first: a newer offer never overtakes them.
    if ((this.waiters?.size ?? 0) === 0 && this.fits(entry)) return this.push(entry);
    const merged = strategy === 'merge' || this.isAudio(entry) ? this.tryMerge(entry) : undefined;
    if (merged !== undefined) return merged;
    if (this.waiters !== undefined && !this.waiters.full) {
      this.pressure.assert();
      return { kind: 'blocked', settled: this.waiters.park(entry) };
    }
    return this.dropIncoming(entry);
  }

  private push(entry: QueueEntry<TPayload>): OfferOutcome {
    this.queue.push(entry);
    return { kind: 'queued' };
  }

  private fits(entry: QueueEntry<TPayload>): boolean {
    return !this.queue.full && this.queue.bytes + entry.bytes <= this.config.max_queue_bytes;
  }

  private isAudio(entry: QueueEntry<TPayload>): boolean {
    return entry.record.payload_class === 'audio_raw' && this.deps.merger !== undefined;
  }

  /** Audio and `merge` lanes fold into the newest item before anything is dropped. */
  private tryMerge(entry: QueueEntry<TPayload>): OfferOutcome | undefined {
    const tail = this.queue.peekTail();
    const merger = this.deps.merger;
    if (tail === undefined || merger === undefined) return undefined;
    const merged = foldIntoTail(tail, entry, merger, this.deps.newMergeGroupId);
    if (merged?.record.merge_group_id === undefined) return undefined;
    if (this.queue.bytes - tail.bytes + merged.bytes > this.config.max_queue_bytes) {
      return undefined;
    }
    this.queue.replaceTail(merged);
    this.merged += 1;
    return { kind: 'merged', merge_group_id: merged.record.merge_group_id };
  }

  private dropIncoming(entry: QueueEntry<TPayload>): OfferOutcome {
    this.drop(entry, 'overflow');
    return { kind: 'dropped' };
  }

  private drop(entry: QueueEntry<TPayload>, kind: DropKind): void {
    // Signal precedes action: a pressure drop always happens inside an asserted episode.
    if (kind !== 'superseded') this.pressure.assert();
    this.drops.record(entry, kind);
  }

  /** Drops items past max_queue_ms; only a queue that actually shrank may release pressure. */
  private expirePhase(): void {
    if (this.config.strategy === 'non_blocking_priority') return;
    const now = this.clock.now();
    let expired = 0;
    for (let h = this.queue.peekHead(); h && now - h.enqueuedAtMs > this.config.max_queue_ms;) {
      this.queue.shift();
      this.drop(h, 'expired');
      expired += 1;
      h = this.queue.peekHead();
    }
    if (expired === 0) return;
    this.admitWaiters();
    this.drops.flush();
    this.pressure.checkLow(this.metrics(), this.waiters?.size ?? 0);
    this.wakeWriters();
  }

  /** Releases the producers waiting for writability once it holds (or unconditionally). */
  private wakeWriters(always = false): void {
    if (this.writers.length === 0 || (!always && !this.writable)) return;
    const waiting = this.writers;
    this.writers = [];
    for (const wake of waiting) wake();
  }

  private admitWaiters(): void {
    const now = this.clock.now();
    for (let next = this.waiters?.peek(); next && this.fits(next); next = this.waiters?.peek()) {
      this.waiters?.admitNext();
      this.queue.push({ ...next, enqueuedAtMs: now });
    }
  }

  private onBlockExpired(entry: QueueEntry<TPayload>): void {
    this.drop(entry, 'shed_after_block');
    this.drops.flush();
  }

  /**
   * One timer per lane, at the next expiry or time-watermark deadline. A pending timer due no
   * later than the new deadline is kept (its tick re-arms), and an emptied queue keeps it too:
   * re-arming on every offer and take would cost a timer per item on the hot path.
   */
  private rearm(): void {
    const head = this.queue.peekHead();
    if (head === undefined || this.config.strategy === 'non_blocking_priority') return;
    const expiry = head.enqueuedAtMs + this.config.max_queue_ms + 1;
    const high =
      this.pressure.state === 'clear'
        ? timeHighDeadline(this.config.watermarks, head.enqueuedAtMs)
        : undefined;
    const due = Math.min(expiry, high ?? expiry);
    if (this.timer !== undefined && this.timerDue <= due) return;
    this.dispose();
    this.timerDue = due;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.tick();
      },
      Math.max(0, due - this.clock.now()),
    );
  }
}
