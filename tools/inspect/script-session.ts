/**
 * The scripted session of `rspp inspect --script`: the built-in `rspp run` script with seeded sim
 * providers on simulated time, in this process, with the inspector's hub attached, and time held
 * back to the wall clock (scaled by a speed) so a person can watch the states change.
 */
import { createRuntime, type Runtime, type RuntimeOptions } from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import { createSimLlm, createSimStt, createSimTts } from '../../adapters/providers/sim/index.ts';
import { createContractValidator } from '../../contracts/index.ts';
import { createStageAEvidence } from '../run/evidence.ts';
import { BUILT_IN_SCRIPT, transportEvent, type Script } from '../run/script.ts';
import { createSimTime } from '../run/sim-time.ts';
import type { Pacer } from '../run/wall-pacer.ts';
import { attachInspector } from './attach.ts';
import type { InspectorHub } from './hub.ts';

/** Options of {@link runInspectedScript}. */
export type InspectedScriptOptions = {
  readonly hub: InspectorHub;
  /** Waits until a simulated time may be shown (already scaled by the speed). */
  readonly pace: Pacer;
  readonly seed?: number;
  readonly script?: Script;
  readonly session_id?: string;
};

/** A scripted run in progress: `done` resolves when the script ended; `stop` ends the runtime. */
export type InspectedScript = {
  readonly runtime: Runtime;
  readonly done: Promise<void>;
  stop(): Promise<void>;
};

// Simulated time moves in slices this long between pacing waits.
const SLICE_MS = 20;

/** Starts the built-in script with the inspector attached. The session stays open at its end. */
export function runInspectedScript(options: InspectedScriptOptions): InspectedScript {
  const time = createSimTime();
  const { scheduler } = time;
  const seed = options.seed ?? 1;
  const bus = createEmbeddedBus();
  const validator = createContractValidator();
  const runtimeOptions: RuntimeOptions = {
    bus,
    clock: time.clock,
    validator,
    providers: {
      stt: [createSimStt({ seed, scheduler })],
      llm: [createSimLlm({ seed, scheduler, chunk_count: 6 })],
      tts: [createSimTts({ seed, scheduler, chunk_count: 1, chunk_interval_ms: 40 })],
    },
    evidence: createStageAEvidence({ validator }),
  };
  const runtime = createRuntime(attachInspector(runtimeOptions, options.hub));
  const session_id = options.session_id ?? 'demo';
  runtime.openSession({ session_id, tenant_id: 'local', authority_epoch: 1 });
  options.hub.watch(runtime, session_id);
  const script = options.script ?? BUILT_IN_SCRIPT;
  let stopped = false;
  const advance = async (target_ms: number) => {
    while (!stopped && time.clock.now() < target_ms) {
      const next = Math.min(target_ms, time.clock.now() + SLICE_MS);
      await options.pace(next);
      await time.advanceTo(next);
    }
  };
  const done = (async () => {
    let n = 0;
    for (const step of script.steps) {
      await advance(step.at_ms);
      if (stopped) return;
      n += 1;
      runtime.feed(session_id, transportEvent(session_id, step, n, 1));
    }
    await advance(script.end_ms);
  })();
  return {
    runtime,
    done,
    async stop() {
      stopped = true;
      await done;
      await runtime.stop();
      await bus.close();
    },
  };
}
