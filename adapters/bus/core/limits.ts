/** Resolution of per-subscription queue bounds from defaults and overrides. */
import { DEFAULT_BUS_LIMITS, type BusLimits, type BusLimitsOverride } from './contracts.ts';

/**
 * Merges overrides onto the defaults and checks them; a bad bound fails at subscribe time with
 * the lane and field named, and ControlLane can never be configured to drop.
 */
export function resolveLimits(override: BusLimitsOverride = {}): BusLimits {
  const merged: BusLimits = {
    ControlLane: { ...DEFAULT_BUS_LIMITS.ControlLane, ...override.ControlLane },
    DataLane: { ...DEFAULT_BUS_LIMITS.DataLane, ...override.DataLane },
    TelemetryLane: { ...DEFAULT_BUS_LIMITS.TelemetryLane, ...override.TelemetryLane },
  };
  for (const [lane, limits] of Object.entries(merged) as [string, BusLimits['DataLane']][]) {
    for (const field of ['capacity', 'dedupeWindow'] as const) {
      const value = limits[field];
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(
          `limits.${lane}.${field} must be a positive integer, received ${value}`,
        );
      }
    }
  }
  for (const lane of ['DataLane', 'TelemetryLane'] as const) {
    const overflow: string = merged[lane].overflow;
    if (overflow !== 'drop_oldest' && overflow !== 'drop_newest') {
      throw new RangeError(
        `limits.${lane}.overflow must be 'drop_oldest' or 'drop_newest', received ${JSON.stringify(overflow)}`,
      );
    }
  }
  if ((merged.ControlLane.overflow as string) !== 'reject') {
    throw new RangeError("limits.ControlLane.overflow must be 'reject': ControlLane is never shed");
  }
  return merged;
}
