/** `runtime-embedded`: the runtime scenarios on the in-process bus. */
import { createEmbeddedBus } from '../../../adapters/bus/embedded/index.ts';
import type { Benchmark } from '../benchmark.ts';
import { inProcessRigs } from './rig-in-process.ts';
import { runtimeBusReport } from './runtime-report.ts';

/** The `runtime-embedded` benchmark. */
export const runtimeEmbeddedBenchmark: Benchmark = {
  name: 'runtime-embedded',
  summary:
    'runtime on the embedded bus: edge rate, ingress latency, overhead, cancel, 200-session load, turn endings, bursts, 500 voice turns',
  async run() {
    const bus = createEmbeddedBus();
    try {
      return await runtimeBusReport('embedded', inProcessRigs(bus, bus), {
        overheadP95Ms: 2,
        closeP95Ms: 2,
        cancelP95Ms: 1,
        loadP99Ms: 20,
        feedP99Ms: 0.3,
      });
    } finally {
      await bus.close();
    }
  },
};
