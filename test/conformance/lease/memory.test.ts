/** Runs the lease conformance suite against the memory store on a manual clock. */
import { createManualClock } from '../../../actors/index.ts';
import { createMemoryLeases } from '../../../adapters/lease/memory/index.ts';
import { defineLeaseConformance } from './lease-conformance.ts';

defineLeaseConformance({
  name: 'memory',
  create: () => {
    const clock = createManualClock();
    const store = createMemoryLeases({ ttlMs: 1_000, now: () => clock.now() });
    return Promise.resolve({
      a: store,
      b: store,
      lapse: () => {
        clock.advance(store.ttlMs);
        return Promise.resolve();
      },
      dispose: () => store.close(),
    });
  },
});
