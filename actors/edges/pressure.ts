/**
 * Pressure episodes of one lane: RK-13 crossings turned into signals and RK-14 flow signals. An
 * episode starts with `watermark` (then `flow_xoff` unless in credit mode) and ends, once every
 * configured metric is at or below its low mark, with `flow_xon` and/or `credit_grant`.
 */
import type { LaneConfig } from './config.ts';
import { flowOnAssert, flowOnRelease } from './flow-control.ts';
import type { SignalDraft } from './stamp.ts';
import { isAboveHigh, isAtOrBelowLow, type PressureState, type QueueMetrics } from './watermark.ts';

/** The lane-specific part of a signal; the edge adds scope, turn, epoch, edge and lane. */
export type LaneSignal = Pick<SignalDraft, 'signal' | 'emitted_by'> &
  Partial<
    Pick<SignalDraft, 'reason' | 'seq_range' | 'amount' | 'sync_domain' | 'discontinuity_id'>
  >;

/** Pressure state machine of one lane (`clear` <-> `asserted`). */
export class LanePressure {
  private current: PressureState = 'clear';
  private sampleCounter = 0;

  private readonly config: LaneConfig;
  private readonly emit: (signal: LaneSignal) => void;

  /** Creates the tracker of one lane. */
  constructor(config: LaneConfig, emit: (signal: LaneSignal) => void) {
    this.config = config;
    this.emit = emit;
  }

  /** Current state. */
  get state(): PressureState {
    return this.current;
  }

  /** Starts an episode unless one is running: `watermark`, then the mode's flow signals. */
  assert(): void {
    if (this.current === 'asserted') return;
    this.current = 'asserted';
    this.sampleCounter = 0;
    this.emit({ signal: 'watermark', emitted_by: 'RK-13', reason: 'edge_watermark_high' });
    for (const f of flowOnAssert(this.config.mode)) this.emit({ ...f, emitted_by: 'RK-14' });
  }

  /** Starts an episode when a metric reached its high mark. */
  checkHigh(metrics: QueueMetrics): void {
    if (this.current === 'clear' && isAboveHigh(this.config.watermarks, metrics)) this.assert();
  }

  /** Ends the episode when no producer is parked and every metric is at or below its low mark. */
  checkLow(metrics: QueueMetrics, parkedProducers: number): void {
    if (this.current === 'clear' || parkedProducers > 0) return;
    if (!isAtOrBelowLow(this.config.watermarks, metrics)) return;
    this.current = 'clear';
    for (const f of flowOnRelease(this.config.mode, this.config.credit_amount)) {
      this.emit({ ...f, emitted_by: 'RK-14' });
    }
  }

  /** `sample` lanes: whether this offer is kept (the first of every `sample_every` under pressure). */
  sampleKeeps(): boolean {
    if (this.current === 'clear') return true;
    return this.sampleCounter++ % this.config.sample_every === 0;
  }
}
