/**
 * `runtime-nats`: the runtime scenarios over NATS on loopback. Starts its own nats-server; the
 * worker side runs in this thread, the transport side in its own thread on its own connection,
 * as a worker process and a gateway process would (ADR 0022).
 */
import { createNatsBus } from '../../../adapters/bus/nats/index.ts';
import type { Benchmark } from '../benchmark.ts';
import { startNatsServer } from '../../nats/nats-server.ts';
import { threadedRigs } from './rig-threaded.ts';
import { runtimeBusReport } from './runtime-report.ts';

/** The `runtime-nats` benchmark. */
export const runtimeNatsBenchmark: Benchmark = {
  name: 'runtime-nats',
  summary:
    'runtime over NATS (loopback): edge rate, ingress latency, overhead, cancel, 200-session load, turn endings, bursts, 500 voice turns',
  async run() {
    const server = await startNatsServer();
    try {
      const worker = await createNatsBus({ servers: server.url, name: 'bench-worker' });
      try {
        return await runtimeBusReport('nats', threadedRigs(worker, server.url), {
          overheadP95Ms: 5,
          closeP95Ms: 5,
          cancelP95Ms: 3,
          loadP99Ms: 20,
          feedP99Ms: 0.3,
        });
      } finally {
        await worker.close();
      }
    } finally {
      await server.dispose();
    }
  },
};
