/**
 * What a benchmark is and what it reports. The runner adds the timestamp and the machine
 * description, so a benchmark only measures.
 */

/** One measured throughput, with its target when it has one. */
export type BenchMetric = {
  /** Stable snake_case id, e.g. `validate_valid_event_record`. */
  name: string;
  /** What was measured, in words. */
  description: string;
  unit: string;
  /** Median over the timed rounds: the figure compared with the target. */
  median: number;
  /** Best timed round. */
  best: number;
  /** Every timed round, in order. */
  rounds: number[];
  /** Minimum acceptable median, when the metric has a target. */
  target?: number;
};

/** What one benchmark run measured. */
export type BenchResult = {
  metrics: BenchMetric[];
  /** Anything a reader needs to interpret the figures (document set, round sizes). */
  notes: string[];
};

/** A named benchmark; `run` measures and resolves to its metrics. */
export type Benchmark = {
  name: string;
  summary: string;
  run(): Promise<BenchResult>;
};

/** Whether a metric meets its target (metrics without a target always pass). */
export function meetsTarget(metric: BenchMetric): boolean {
  return metric.target === undefined || metric.median >= metric.target;
}
