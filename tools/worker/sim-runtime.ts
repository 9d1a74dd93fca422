/**
 * The runtime a worker runs its sessions on: seeded sim providers and Stage-A evidence (as
 * `rspp run` builds them), but on a given clock and provider scheduler, so the same builder
 * serves real time (worker processes) and zero latency (benchmarks).
 */
import {
  createRuntime,
  type Runtime,
  type RuntimeClock,
  type RuntimeLimits,
} from '../../actors/index.ts';
import { createSimLlm, createSimStt, createSimTts } from '../../adapters/providers/sim/index.ts';
import {
  createContractValidator,
  type BusPort,
  type RuntimeTelemetryPort,
} from '../../contracts/index.ts';
import type { ProviderScheduler } from '../../contracts/internal.ts';
import { createStageAEvidence } from '../run/evidence.ts';

/** Options of {@link buildClockedSimRuntime}. */
export type ClockedSimRuntimeOptions = {
  readonly bus: BusPort;
  readonly clock: RuntimeClock;
  readonly scheduler: ProviderScheduler;
  readonly seed?: number;
  readonly limits?: Partial<RuntimeLimits>;
  /** Sim LLM output chunks per reply (default 6, as `rspp run`). */
  readonly llmChunks?: number;
  /** Sim TTS chunk interval in ms (default 40, as `rspp run`). */
  readonly ttsChunkIntervalMs?: number;
  /** Zero out every sim latency (overhead benchmarks). */
  readonly zeroLatency?: boolean;
  /** OR-01 telemetry (spans and metrics); none by default. */
  readonly telemetry?: RuntimeTelemetryPort;
};

/** Builds a runtime with seeded sim STT/LLM/TTS on the given clock and scheduler. */
export function buildClockedSimRuntime(options: ClockedSimRuntimeOptions): Runtime {
  const seed = options.seed ?? 1;
  const scheduler = options.scheduler;
  const zero = options.zeroLatency === true ? { first_chunk_ms: 0, chunk_interval_ms: 0 } : {};
  // Every session may stream at once: the runtime's session limit is the real bound.
  const max_concurrency = Math.max(4, (options.limits?.max_sessions ?? 64) * 2);
  const validator = createContractValidator();
  return createRuntime({
    bus: options.bus,
    clock: options.clock,
    validator,
    providers: {
      stt: [createSimStt({ seed, scheduler, provider_id: 'stt-sim', max_concurrency, ...zero })],
      llm: [
        createSimLlm({
          seed,
          scheduler,
          provider_id: 'llm-sim',
          max_concurrency,
          chunk_count: options.llmChunks ?? 6,
          ...zero,
        }),
      ],
      tts: [
        createSimTts({
          seed,
          scheduler,
          provider_id: 'tts-sim',
          max_concurrency,
          chunk_count: 1,
          chunk_interval_ms: options.ttsChunkIntervalMs ?? 40,
          ...zero,
        }),
      ],
    },
    evidence: createStageAEvidence({ validator }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
  });
}
