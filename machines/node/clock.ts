/**
 * Event-time arithmetic shared by the node and invocation machines. Machines never read a clock:
 * time comes from the handled event (`at_ms`, `wall_ms`) or is a known start time plus a delay.
 */
import type { Timed } from '../outputs.ts';

/** A point in time as both runtime ms (simulated clock) and wall-clock ms; integers >= 0. */
export type EventTime = { readonly at_ms: number; readonly wall_ms: number };

/** Clamps any value to a non-negative integer (non-numbers and NaN become 0). */
export function nonNegativeInt(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** The time at `at_ms` (and `wall_ms`, default `at_ms`) of a machine's input. */
export function startTime(at_ms: number | undefined, wall_ms: number | undefined): EventTime {
  const at = nonNegativeInt(at_ms);
  return { at_ms: at, wall_ms: wall_ms === undefined ? at : nonNegativeInt(wall_ms) };
}

/**
 * The time of a handled event, never before `now`: runtime ms is monotonic so latencies stay
 * >= 0; a missing `wall_ms` is extrapolated from `now` by the runtime ms elapsed.
 */
export function timeOf(now: EventTime, event: Timed): EventTime {
  const at = Math.max(now.at_ms, nonNegativeInt(event.at_ms));
  const wall =
    event.wall_ms === undefined ? now.wall_ms + (at - now.at_ms) : nonNegativeInt(event.wall_ms);
  return { at_ms: at, wall_ms: wall };
}

/** `from` plus `delay_ms` on both clocks: the time a delayed (`after`) transition fires. */
export function timeAfter(from: EventTime, delay_ms: number): EventTime {
  const delay = nonNegativeInt(delay_ms);
  return { at_ms: from.at_ms + delay, wall_ms: from.wall_ms + delay };
}

/** The later of two times by runtime ms (ties keep `a`). */
export function later(a: EventTime, b: EventTime): EventTime {
  return b.at_ms > a.at_ms ? b : a;
}
