/**
 * Every benchmark `rspp bench` knows. To add one, write `benchmarks/<name>.ts` exporting a
 * `Benchmark` and append it here.
 */
import type { Benchmark } from './benchmark.ts';
import { contractsBenchmark } from './benchmarks/contracts.ts';
import { runtimeEmbeddedBenchmark } from './benchmarks/runtime-embedded.ts';
import { runtimeMemoryBenchmark } from './benchmarks/runtime-memory.ts';
import { runtimeNatsBenchmark } from './benchmarks/runtime-nats.ts';
import { telemetryBenchmark } from './benchmarks/telemetry.ts';

/** All benchmarks, in the order `rspp bench` runs them. */
export const BENCHMARKS: readonly Benchmark[] = [
  contractsBenchmark,
  runtimeEmbeddedBenchmark,
  runtimeNatsBenchmark,
  runtimeMemoryBenchmark,
  telemetryBenchmark,
];
