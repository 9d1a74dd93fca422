/**
 * RK-13 watermark engine for one lane: hysteresis between a high and a low mark on queue depth
 * and/or time-in-queue. It only reports crossings; the edge buffer turns them into signals.
 */
import type { LaneWatermarks } from './config.ts';

/** What a lane measures for its watermarks. */
export interface QueueMetrics {
  /** Items queued. */
  readonly queue_items: number;
  /** Age of the oldest queued item in runtime ms (0 when empty). */
  readonly queue_ms: number;
}

/** Whether the lane is under asserted pressure. */
export type PressureState = 'clear' | 'asserted';

/** True when any configured metric is at or above its high mark. */
export function isAboveHigh(marks: LaneWatermarks, metrics: QueueMetrics): boolean {
  return (
    (marks.queue_items !== undefined && metrics.queue_items >= marks.queue_items.high) ||
    (marks.queue_ms !== undefined && metrics.queue_ms >= marks.queue_ms.high)
  );
}

/**
 * True when every configured metric is at or below its low mark. `<=` rather than `<` because
 * `low` may be 0, and "below 0" would never release.
 */
export function isAtOrBelowLow(marks: LaneWatermarks, metrics: QueueMetrics): boolean {
  return (
    (marks.queue_items === undefined || metrics.queue_items <= marks.queue_items.low) &&
    (marks.queue_ms === undefined || metrics.queue_ms <= marks.queue_ms.low)
  );
}

/**
 * Runtime time at which the oldest item will cross the `queue_ms` high mark, or undefined when
 * no time watermark applies.
 */
export function timeHighDeadline(
  marks: LaneWatermarks,
  oldestEnqueuedAtMs: number | undefined,
): number | undefined {
  if (marks.queue_ms === undefined || oldestEnqueuedAtMs === undefined) return undefined;
  return oldestEnqueuedAtMs + marks.queue_ms.high;
}
