/**
 * `runtime-memory`: heap per idle session (1,000 connected sessions in one runtime) and per
 * active session (a turn open and generating), on the embedded bus under simulated time so
 * nothing moves while the heap is measured. Forces GC through `--expose-gc` set at run time.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Runtime } from '../../../actors/index.ts';
import { createEmbeddedBus } from '../../../adapters/bus/embedded/index.ts';
import { createSimTime } from '../../run/sim-time.ts';
import { transportEvent } from '../../run/script.ts';
import { buildClockedSimRuntime } from '../../worker/index.ts';
import type { Benchmark, BenchMetric } from '../benchmark.ts';
import { figure, gate } from './runtime-kit.ts';

const IDLE = 1000;
const ACTIVE = 60;
const IDLE_TARGET_MB = 0.1;

const forceGc = (): (() => void) => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
};

const heapMb = (gc: () => void): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / (1024 * 1024);
};

/** Opens `count` sessions, feeds each `steps`, and returns the heap growth per session in MB. */
async function perSession(
  count: number,
  steps: readonly Parameters<typeof transportEvent>[1][],
  advanceMs: number,
  gc: () => void,
): Promise<{ mb: number; active: number }> {
  const bus = createEmbeddedBus();
  const time = createSimTime();
  const runtime: Runtime = buildClockedSimRuntime({
    bus,
    clock: time.clock,
    scheduler: time.scheduler,
    limits: { max_sessions: count },
  });
  const open = new Set<string>();
  const before = heapMb(gc);
  for (let i = 0; i < count; i++) {
    const id = `mem-${String(i)}`;
    runtime.openSession({ session_id: id, tenant_id: 'bench' });
    runtime.subscribe(id, (o) => {
      if (o.kind !== 'control') return;
      if (o.record.signal === 'turn_open') open.add(id);
      if (o.record.signal === 'commit' || o.record.signal === 'abort') open.delete(id);
    });
    steps.forEach((step, n) => runtime.feed(id, transportEvent(id, step, n + 1, 1)));
  }
  await time.advanceTo(advanceMs);
  const after = heapMb(gc);
  const active = open.size;
  await runtime.stop();
  await bus.close();
  return { mb: (after - before) / count, active };
}

/** The `runtime-memory` benchmark. */
export const runtimeMemoryBenchmark: Benchmark = {
  name: 'runtime-memory',
  summary: 'heap per idle session (1,000 in one runtime) and per active session',
  async run() {
    const gc = forceGc();
    const idle = await perSession(
      IDLE,
      [{ at_ms: 0, kind: 'connection', text: 'connected' }],
      1,
      gc,
    );
    const active = await perSession(
      ACTIVE,
      [
        { at_ms: 0, kind: 'connection', text: 'connected' },
        { at_ms: 0, kind: 'speech_started' },
        { at_ms: 0, kind: 'transcript_final', text: 'tell me a long story' },
      ],
      30,
      gc,
    );
    const metrics: BenchMetric[] = [
      figure(
        'heap_per_idle_session_kb',
        `heap growth / ${String(IDLE)} connected idle sessions`,
        'KB',
        idle.mb * 1024,
      ),
      gate(
        'heap_per_idle_session_le_0_1_mb',
        `idle session heap <= ${String(IDLE_TARGET_MB)} MB`,
        idle.mb <= IDLE_TARGET_MB,
      ),
      figure(
        'heap_per_active_session_kb',
        `heap growth / ${String(ACTIVE)} sessions, ${String(active.active)} with a turn open and generating`,
        'KB',
        active.mb * 1024,
      ),
    ];
    return {
      metrics,
      notes: [
        `Embedded bus, simulated clock (nothing runs while measuring), sim providers, Stage-A recorders sharing one validator; heapUsed after two forced GCs.`,
        `Idle: ${String(IDLE)} sessions after an RK-23 connected signal: ${idle.mb.toFixed(4)} MB each, target <= ${String(IDLE_TARGET_MB)} MB: ${idle.mb <= IDLE_TARGET_MB ? 'PASS' : 'FAIL'}.`,
        `Active: ${String(ACTIVE)} sessions, 30 simulated ms after a final transcript; ${String(active.active)} had an open turn when measured: ${active.mb.toFixed(4)} MB each (no target).`,
      ],
    };
  },
};
