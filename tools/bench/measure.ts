/**
 * Throughput measurement: warm up until the JIT has settled, size rounds from the warm-up rate,
 * then time several rounds and report each round's rate, the median and the best.
 */

/** How to measure: `pass` processes the fixed document set once and returns how many it handled. */
export type ThroughputOptions = {
  pass: () => number;
  warmupMs: number;
  rounds: number;
  roundMs: number;
};

/** Per-round rates (items per second), their median and the best. */
export type Throughput = { rounds: number[]; median: number; best: number; passesPerRound: number };

/** Measures the rate of `pass` in items per second. */
export function measureThroughput(options: ThroughputOptions): Throughput {
  let items = 0;
  let passes = 0;
  const warmupStart = performance.now();
  while (performance.now() - warmupStart < options.warmupMs) {
    items += options.pass();
    passes++;
  }
  const passMs = (performance.now() - warmupStart) / Math.max(passes, 1);
  const passesPerRound = Math.max(1, Math.round(options.roundMs / Math.max(passMs, 1e-6)));
  const rounds: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    let roundItems = 0;
    const start = performance.now();
    for (let i = 0; i < passesPerRound; i++) roundItems += options.pass();
    const seconds = (performance.now() - start) / 1000;
    rounds.push(Math.round(roundItems / seconds));
    items += roundItems;
  }
  // `items` is read so the work above cannot be treated as dead code.
  if (items <= 0) throw new Error('benchmark pass processed no items');
  return { rounds, median: median(rounds), best: Math.max(...rounds), passesPerRound };
}

/** Median of a non-empty list (mean of the two middle values for an even length). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : Math.round(((sorted[middle - 1] ?? 0) + upper) / 2);
}
