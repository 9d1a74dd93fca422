/**
 * Public surface of actors/edges: RK-12 edge buffers and their manager, RK-13 watermarks, RK-14
 * flow control, the minimal RK-15 sync-loss emitter, the actor signal stamper and injected time.
 */
export { createManualClock, type ManualClock, type RuntimeClock } from './clock.ts';
export { EdgeConfigError, type BufferPolicy, type FlowControlPolicy } from './config.ts';
export { EdgeBuffer, type DequeuedItem } from './edge-buffer.ts';
export type { EdgeRecord } from './lane-queue.ts';
export type { PayloadMerger } from './merge.ts';
export { createSignalStamper, type SignalStamper } from './stamp.ts';
