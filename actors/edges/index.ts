/**
 * Public surface of actors/edges: RK-12 edge buffers and their manager, RK-13 watermarks, RK-14
 * flow control, the minimal RK-15 sync-loss emitter, the actor signal stamper and injected time.
 */
export {
  createManualClock,
  type ManualClock,
  type ManualClockOptions,
  type RuntimeClock,
  type TimerHandle,
} from './clock.ts';
export {
  EdgeConfigError,
  resolveLaneConfigs,
  type BufferPolicy,
  type FlowControlPolicy,
  type FlowMode,
  type LaneConfig,
  type LaneStrategy,
  type LaneTuning,
  type LaneWatermarks,
  type SyncLossConfig,
} from './config.ts';
export type { BlockSettlement } from './blocked-producers.ts';
export {
  EdgeBuffer,
  createEdgeBuffer,
  type DequeuedItem,
  type EdgeBufferOptions,
  type EdgeItem,
  type EdgeStats,
} from './edge-buffer.ts';
export type { LaneStats, OfferOutcome } from './edge-lane.ts';
export type { FlowSignal } from './flow-control.ts';
export type { EdgeRecord, MergeSource } from './lane-queue.ts';
export { MAX_MERGED_SOURCES, type PayloadMerger } from './merge.ts';
export { coalesceSeqRanges } from './seq-range.ts';
export {
  createSignalStamper,
  idPart,
  type SignalDraft,
  type SignalStamper,
  type StamperIdentity,
} from './stamp.ts';
export type { PressureState, QueueMetrics } from './watermark.ts';
