/**
 * Real-time pacing for the local transports: simulated time is held back until the wall clock
 * has caught up with it, so a run plays at the speed it would have live. Only the CLI uses it;
 * tests run as fast as possible.
 */

/** Resolves once `target_ms` of wall time have passed since the pacer was created. */
export type Pacer = (target_ms: number) => Promise<void>;

/** A pacer that never waits (as fast as possible). */
export const FAST: Pacer = () => Promise.resolve();

/** A pacer on the wall clock, starting now. */
export function createWallPacer(now: () => number = () => performance.now()): Pacer {
  const start = now();
  return (target_ms) => {
    const wait = start + target_ms - now();
    return wait <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, wait));
  };
}
