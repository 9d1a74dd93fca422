/**
 * Rendering of the ControlLane sequence for `rspp run` / `rspp demo`: one readable line per
 * signal (time, emitter, signal, reason, turn), or one JSON record per line.
 */
import type { ControlSignal } from '../../contracts/index.ts';

/** `   1000 ms  RK-03  turn_open            -                         turn-1` */
export function formatSignal(signal: ControlSignal): string {
  const at = `${String(signal.runtime_timestamp_ms).padStart(7)} ms`;
  const reason = typeof signal.reason === 'string' ? signal.reason : '-';
  const turn = typeof signal.turn_id === 'string' ? signal.turn_id : '-';
  return `${at}  ${signal.emitted_by.padEnd(5)}  ${signal.signal.padEnd(19)}  ${reason.padEnd(32)}  ${turn}`;
}

/** A copy without wall-clock fields (what determinism compares). */
export function withoutWallClock(
  signal: ControlSignal,
): Omit<ControlSignal, 'wall_clock_timestamp_ms'> {
  const { wall_clock_timestamp_ms: _wall, ...rest } = signal;
  return rest;
}

/** Column header matching {@link formatSignal}. */
export const SIGNAL_HEADER = `${'time'.padStart(10)}  ${'from'.padEnd(5)}  ${'signal'.padEnd(19)}  ${'reason'.padEnd(32)}  turn`;
