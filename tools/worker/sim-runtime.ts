/**
 * The runtime a worker runs its sessions on: seeded sim providers and Stage-A evidence (as
 * `rspp run` builds them), but on a given clock and provider scheduler, so the same builder
 * serves real time (worker processes) and zero latency (benchmarks). Given a pipeline file
 * (`rspp worker --pipeline`), it runs that graph and CP snapshot on the providers the file names.
 */
import {
  createRuntime,
  type ProviderCatalogue,
  type Runtime,
  type RuntimeClock,
  type RuntimeLimits,
} from '../../actors/index.ts';
import { availableProvidersOf, type AvailableProvider } from '../../actors/pipeline/catalogue.ts';
import type { CompiledPipeline } from '../../actors/pipeline/compile.ts';
import { pipelineRuntimeInputs } from '../../actors/pipeline/runtime-inputs.ts';
import {
  createRealScheduler,
  createSimLlm,
  createSimStt,
  createSimTts,
} from '../../adapters/providers/sim/index.ts';
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
  /**
   * A loaded pipeline file: its graph and CP snapshot, on the sims and their `-b` backups cut
   * down to the providers it names (default: the built-in graph on `<modality>-sim`).
   */
  readonly pipeline?: CompiledPipeline;
};

type CatalogueOptions = Omit<ClockedSimRuntimeOptions, 'bus' | 'clock' | 'telemetry' | 'pipeline'>;

/** The seeded sims on the scheduler; `<modality>-sim-b` backups too with `backups`. */
function clockedSimCatalogue(options: CatalogueOptions, backups: boolean): ProviderCatalogue {
  const seed = options.seed ?? 1;
  const scheduler = options.scheduler;
  const zero = options.zeroLatency === true ? { first_chunk_ms: 0, chunk_interval_ms: 0 } : {};
  // Every session may stream at once: the runtime's session limit is the real bound.
  const max_concurrency = Math.max(4, (options.limits?.max_sessions ?? 64) * 2);
  const suffixes = backups ? ['', '-b'] : [''];
  return {
    stt: suffixes.map((suffix) =>
      createSimStt({ seed, scheduler, provider_id: `stt-sim${suffix}`, max_concurrency, ...zero }),
    ),
    llm: suffixes.map((suffix) =>
      createSimLlm({
        seed,
        scheduler,
        provider_id: `llm-sim${suffix}`,
        max_concurrency,
        chunk_count: options.llmChunks ?? 6,
        ...zero,
      }),
    ),
    tts: suffixes.map((suffix) =>
      createSimTts({
        seed,
        scheduler,
        provider_id: `tts-sim${suffix}`,
        max_concurrency,
        chunk_count: 1,
        chunk_interval_ms: options.ttsChunkIntervalMs ?? 40,
        ...zero,
      }),
    ),
  };
}

/**
 * The providers a worker builds for a pipeline file (the sims and their `-b` backups): what
 * `loadPipelineFile` checks a file against. The sims are built unstarted and dropped.
 */
export function clockedSimProviders(): readonly AvailableProvider[] {
  return availableProvidersOf(clockedSimCatalogue({ scheduler: createRealScheduler() }, true));
}

/** Builds a runtime with seeded sim STT/LLM/TTS on the given clock and scheduler. */
export function buildClockedSimRuntime(options: ClockedSimRuntimeOptions): Runtime {
  const { pipeline } = options;
  const catalogue = clockedSimCatalogue(options, pipeline !== undefined);
  const inputs = pipeline === undefined ? undefined : pipelineRuntimeInputs(pipeline, catalogue);
  const validator = createContractValidator();
  return createRuntime({
    bus: options.bus,
    clock: options.clock,
    validator,
    providers: inputs?.providers ?? catalogue,
    evidence: createStageAEvidence({ validator }),
    ...(inputs === undefined ? {} : { graph: inputs.graph, snapshot: inputs.snapshot }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
  });
}
