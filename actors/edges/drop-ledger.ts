/**
 * Drop accounting of one lane: collects the runtime sequences and sync domains dropped during
 * one operation, then emits coalesced `drop_notice`s followed by minimal RK-15 discontinuities.
 */
import type { SyncLossConfig } from './config.ts';
import { entrySequences, type QueueEntry } from './lane-queue.ts';
import type { LaneSignal } from './pressure.ts';
import { coalesceSeqRanges } from './seq-range.ts';
import { syncDomainOf, type SyncLossEmitter } from './sync-loss.ts';

/** Why an item left the queue without being delivered. */
export type DropKind = 'overflow' | 'expired' | 'superseded' | 'shed_after_block';

/** Cumulative drop counters of a lane; `dropped` counts every item, the rest split it by cause. */
export interface DropCounts {
  dropped: number;
  overflow: number;
  expired: number;
  superseded: number;
  shed_after_block: number;
}

/** Pending drops of the current operation plus cumulative counters. */
export class DropLedger {
  // Emptied by every flush, so bounded by one operation's drops (<= capacity + parked + 1).
  private seqs: number[] = [];
  private domains: string[] = [];
  readonly counts: DropCounts = {
    dropped: 0,
    overflow: 0,
    expired: 0,
    superseded: 0,
    shed_after_block: 0,
  };

  private readonly sync: SyncLossConfig;
  private readonly syncLoss: SyncLossEmitter;
  private readonly emit: (signal: LaneSignal) => void;

  /** Creates the ledger of one lane. */
  constructor(sync: SyncLossConfig, syncLoss: SyncLossEmitter, emit: (signal: LaneSignal) => void) {
    this.sync = sync;
    this.syncLoss = syncLoss;
    this.emit = emit;
  }

  /** Records one dropped entry (a merged entry stands for all its sources). */
  record(entry: QueueEntry<unknown>, kind: DropKind): void {
    this.seqs.push(...entrySequences(entry));
    const domain = syncDomainOf(entry.record, this.sync);
    if (domain !== undefined) this.domains.push(domain);
    this.counts.dropped += 1;
    this.counts[kind] += 1;
  }

  /** Emits one `drop_notice` per contiguous range (ascending), then one discontinuity per domain. */
  flush(): void {
    const seqs = this.seqs;
    const domains = this.domains;
    this.seqs = [];
    this.domains = [];
    for (const seq_range of coalesceSeqRanges(seqs)) {
      this.emit({
        signal: 'drop_notice',
        emitted_by: 'RK-12',
        reason: 'queue_pressure_drop',
        seq_range,
      });
    }
    for (const d of this.syncLoss.onDrops(domains)) {
      this.emit({ signal: 'discontinuity', emitted_by: 'RK-15', ...d });
    }
  }
}
