/**
 * RK-12 edge buffer: one bounded lane per Lane built from the plan's BufferSpec. ControlLane has
 * `non_blocking_priority`: it is dequeued before any data and never waits behind it.
 */
import type { ControlSignal, Lane } from '../../contracts/index.ts';
import type { SeqRange } from '../../contracts/internal.ts';
import type { RuntimeClock } from './clock.ts';
import {
  resolveLaneConfigs,
  type BufferPolicy,
  type FlowControlPolicy,
  type LaneConfig,
  type LaneTuning,
} from './config.ts';
import { EdgeLane, type LaneStats, type OfferOutcome } from './edge-lane.ts';
import type { EdgeRecord } from './lane-queue.ts';
import { mergeSpan, type PayloadMerger } from './merge.ts';
import type { LaneSignal } from './pressure.ts';
import { idPart, type SignalStamper } from './stamp.ts';
import { SyncLossEmitter } from './sync-loss.ts';

/** One item offered to an edge: the record, an opaque payload and its size in bytes. */
export interface EdgeItem<TPayload> {
  readonly record: EdgeRecord;
  readonly payload: TPayload;
  readonly bytes: number;
}

/** One item leaving an edge. */
export interface DequeuedItem<TPayload> extends EdgeItem<TPayload> {
  readonly lane: Lane;
  /** Runtime ms the item spent queued. */
  readonly queued_ms: number;
  /** Source sequence span when the item is a merge. */
  readonly merge_span?: SeqRange;
}

/** Everything an edge buffer needs; time, ids and signal sink are injected. */
export interface EdgeBufferOptions<TPayload> {
  readonly edge_id: string;
  readonly policy: BufferPolicy;
  readonly flow: FlowControlPolicy;
  /** The turn whose plan froze the policy; every signal is turn-scoped to it. */
  readonly turn_id: string;
  readonly authority_epoch: number;
  readonly clock: RuntimeClock;
  readonly stamp: SignalStamper;
  readonly emit: (signal: ControlSignal) => void;
  /** Required when DataLane is `merge`; enables merge-before-drop for audio on other lanes. */
  readonly merger?: PayloadMerger<TPayload>;
  readonly tuning?: Omit<LaneTuning, 'hasMerger'>;
}

/** Gauges and counters per lane. */
export type EdgeStats = Readonly<Record<Lane, LaneStats>>;

const TAKE_ORDER: readonly Lane[] = ['ControlLane', 'DataLane', 'TelemetryLane'];

/** The bounded buffer of one edge. */
export class EdgeBuffer<TPayload> {
  /** Resolved per-lane configuration (for evidence: the buffer policy actually enforced). */
  readonly configs: Readonly<Record<Lane, LaneConfig>>;
  private readonly lanes: Readonly<Record<Lane, EdgeLane<TPayload>>>;
  private mergeOrdinal = 0;
  private closed = false;
  private readonly options: EdgeBufferOptions<TPayload>;

  /** Builds the lanes; throws `EdgeConfigError` on a spec it cannot honour. */
  constructor(options: EdgeBufferOptions<TPayload>) {
    this.options = options;
    const { edge_id, policy, flow, merger, tuning } = options;
    this.configs = resolveLaneConfigs(edge_id, policy, flow, {
      ...tuning,
      hasMerger: merger !== undefined,
    });
    const syncLoss = new SyncLossEmitter(edge_id);
    const lane = (name: Lane): EdgeLane<TPayload> =>
      new EdgeLane<TPayload>({
        config: this.configs[name],
        clock: options.clock,
        emit: (s) => this.emitFor(name, s),
        merger,
        newMergeGroupId: () =>
          `mrg/${idPart(edge_id)}/${String(this.mergeOrdinal++).padStart(6, '0')}`,
        syncLoss,
      });
    this.lanes = {
      ControlLane: lane('ControlLane'),
      DataLane: lane('DataLane'),
      TelemetryLane: lane('TelemetryLane'),
    };
  }

  /** The edge id. */
  get edgeId(): string {
    return this.options.edge_id;
  }

  /** Offers an item to the lane named by its record. */
  offer(item: EdgeItem<TPayload>): OfferOutcome {
    if (this.closed) return { kind: 'rejected', reason: 'edge_closed' };
    return this.lanes[item.record.lane].offer(item.record, item.payload, item.bytes);
  }

  /** Dequeues the next item: ControlLane first, then DataLane, then TelemetryLane. */
  take(): DequeuedItem<TPayload> | undefined {
    const now = this.options.clock.now();
    for (const name of TAKE_ORDER) {
      const entry = this.lanes[name].take();
      if (entry === undefined) continue;
      const span = mergeSpan(entry);
      return {
        lane: name,
        record: entry.record,
        payload: entry.payload,
        bytes: entry.bytes,
        queued_ms: Math.max(0, now - entry.enqueuedAtMs),
        ...(span ? { merge_span: span } : {}),
      };
    }
    return undefined;
  }

  /** True while the DataLane is not under asserted pressure (no `flow_xoff` in force). */
  get writable(): boolean {
    return this.closed || this.lanes.DataLane.writable;
  }

  /** Resolves once the DataLane is writable again (`flow_xon`), or the edge is closed. */
  whenWritable(): Promise<void> {
    return this.closed ? Promise.resolve() : this.lanes.DataLane.whenWritable();
  }

  /** The DataLane strategy: `block` edges are lossless (their producers wait, never shed). */
  get blocking(): boolean {
    return this.configs.DataLane.strategy === 'block';
  }

  /** Applies time limits and time watermarks now (timers also do this on their own). */
  tick(): void {
    for (const name of TAKE_ORDER) this.lanes[name].tick();
  }

  /** Discards everything queued or parked, without notices (cancel flush); returns the records. */
  flush(): EdgeRecord[] {
    return TAKE_ORDER.flatMap((name) => this.lanes[name].flush().map((e) => e.record));
  }

  /** Flushes, stops timers and refuses later offers; returns the flushed records. */
  close(): EdgeRecord[] {
    this.closed = true;
    const flushed = this.flush();
    for (const name of TAKE_ORDER) this.lanes[name].dispose();
    return flushed;
  }

  /** Gauges and counters per lane. */
  stats(): EdgeStats {
    return {
      ControlLane: this.lanes.ControlLane.stats(),
      DataLane: this.lanes.DataLane.stats(),
      TelemetryLane: this.lanes.TelemetryLane.stats(),
    };
  }

  private emitFor(lane: Lane, signal: LaneSignal): void {
    const { stamp, emit, turn_id, authority_epoch, edge_id } = this.options;
    emit(
      stamp({
        ...signal,
        event_scope: 'turn',
        turn_id,
        authority_epoch,
        edge_id,
        target_lane: lane,
      }),
    );
  }
}
