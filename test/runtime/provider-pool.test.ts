import { describe, expect, it } from 'vitest';
import type { RuntimeOutput } from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import { checkTurnInvariants } from '../../machines/invariants.ts';
import { transportEvent } from '../../tools/run/script.ts';
import { buildSimRuntime } from '../../tools/run/session-run.ts';
import { machineOutputs, summarize, terminals } from './kit.ts';

describe('Runtime provider pools (RK-26)', () => {
  it('queues calls beyond a provider’s max_concurrency instead of having them refused', async () => {
    // The sims take 4 calls at once and refuse a fifth as rate_limited; 6 sessions speak at once.
    const { runtime, time } = buildSimRuntime({ bus: createEmbeddedBus() });
    const sessions = ['s1', 's2', 's3', 's4', 's5', 's6'];
    const outputs = new Map<string, RuntimeOutput[]>();
    for (const id of sessions) {
      runtime.openSession({ session_id: id });
      const mine: RuntimeOutput[] = [];
      outputs.set(id, mine);
      runtime.subscribe(id, (o) => mine.push(o));
    }
    for (const id of sessions) {
      runtime.feed(
        id,
        transportEvent(id, { at_ms: 0, kind: 'transcript_final', text: 'hello there' }, 1, 1),
      );
    }
    await time.advanceTo(10_000);
    for (const id of sessions) {
      const mine = outputs.get(id) ?? [];
      const control = mine.flatMap((o) => (o.kind === 'control' ? [o.record] : []));
      expect(terminals(control)).toEqual({ 'turn-1': 'commit' });
      // No call was refused by a provider, so none was retried.
      expect(
        summarize(control).filter((line) => /overload|retry|provider_switch/.test(line)),
      ).toEqual([]);
      expect(checkTurnInvariants(machineOutputs(mine), { complete: true })).toEqual([]);
    }
    await runtime.stop();
  });
});
