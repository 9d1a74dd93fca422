/**
 * Runs one scripted session in this process: simulated time, seeded sim providers, the
 * Runtime on the given bus, and a bus subscription that collects what actually crossed the bus.
 * Used by `rspp run`, `rspp demo` and the runtime tests.
 */
import {
  createRuntime,
  type Runtime,
  type GraphSpec,
  type RuntimeLimits,
  type RuntimeListener,
  type RuntimeOutput,
  type ProviderCatalogue,
  type SessionEvidence,
  type SessionIdentity,
  type SessionOptions,
} from '../../actors/index.ts';
import { availableProvidersOf, type AvailableProvider } from '../../actors/pipeline/catalogue.ts';
import type { CompiledPipeline } from '../../actors/pipeline/compile.ts';
import { pipelineRuntimeInputs } from '../../actors/pipeline/runtime-inputs.ts';
import {
  createContractValidator,
  type BusEnvelope,
  type BusPort,
  type ControlSignal,
  type EvidenceSinkPort,
} from '../../contracts/index.ts';
import {
  createSimLlm,
  createSimStt,
  createSimTts,
  type SimFaultPlan,
} from '../../adapters/providers/sim/index.ts';
import { createStageAEvidence } from './evidence.ts';
import { BUILT_IN_SCRIPT, transportEvent, type Script } from './script.ts';
import { createSimTime, type SimTime } from './sim-time.ts';

/** Faults injected into the sims (by modality). */
export type RunFaults = {
  readonly stt?: SimFaultPlan;
  readonly llm?: SimFaultPlan;
  readonly tts?: SimFaultPlan;
};

/** How a sim streams: chunks per stream and the time between them. */
export type SimPacing = { readonly chunk_count: number; readonly chunk_interval_ms: number };

/** Options of {@link runScriptedSession}. */
export type RunOptions = {
  readonly bus: BusPort;
  readonly seed?: number;
  readonly session_id?: string;
  readonly tenant_id?: string;
  readonly script?: Script;
  readonly sink?: EvidenceSinkPort;
  readonly faults?: RunFaults;
  /**
   * Chunks per reply (LLM) or per text chunk (TTS) and the time between them (default LLM 6,
   * TTS 1 every 40 ms: short replies for the scripted runs); local transports pace like speech.
   */
  readonly sim_pacing?: { readonly llm?: SimPacing; readonly tts?: SimPacing };
  /** A second provider per modality (`<modality>-sim-b`) for provider_switch. */
  readonly backups?: boolean;
  readonly failBaselineAppends?: boolean;
  readonly graph?: GraphSpec;
  /**
   * A loaded pipeline file: its graph, CP snapshot and session options replace `graph`, and the
   * sims (backups included) are cut down to the providers its nodes name.
   */
  readonly pipeline?: CompiledPipeline;
  readonly limits?: Partial<RuntimeLimits>;
  /** Sees every runtime output as it happens. */
  readonly onOutput?: RuntimeListener;
  /** Wall-clock ms to wait for the bus to deliver what was published (default 10 000). */
  readonly deliveryTimeoutMs?: number;
};

/** What a run produced. */
export type RunResult = {
  /** ControlLane records as delivered by the bus, in delivery order. */
  readonly control: readonly ControlSignal[];
  /** Every envelope the bus delivered. */
  readonly delivered: readonly BusEnvelope[];
  /** Every runtime output, in order. */
  readonly outputs: readonly RuntimeOutput[];
};

/** A runtime on simulated time with seeded sims, ready to open sessions. */
export type SimRuntime = {
  readonly runtime: Runtime;
  readonly time: SimTime;
  /** What every session opens with: the pipeline's version and policies (none by default). */
  readonly session: Pick<SessionOptions, 'pipeline_version' | 'policies'>;
};

type CatalogueOptions = Pick<RunOptions, 'seed' | 'faults' | 'sim_pacing' | 'backups'>;

/** The seeded sims of a run on `scheduler`; `<modality>-sim-b` backups with `backups`. */
function simCatalogue(
  options: CatalogueOptions,
  scheduler: SimTime['scheduler'],
): ProviderCatalogue {
  const seed = options.seed ?? 1;
  const f = options.faults ?? {};
  const sims = (suffix: string, faults: RunFaults) => ({
    stt: createSimStt({
      seed,
      scheduler,
      provider_id: `stt-sim${suffix}`,
      ...(faults.stt === undefined ? {} : { fault: faults.stt }),
    }),
    llm: createSimLlm({
      seed,
      scheduler,
      provider_id: `llm-sim${suffix}`,
      chunk_count: options.sim_pacing?.llm?.chunk_count ?? 6,
      ...(options.sim_pacing?.llm === undefined
        ? {}
        : { chunk_interval_ms: options.sim_pacing.llm.chunk_interval_ms }),
      ...(faults.llm === undefined ? {} : { fault: faults.llm }),
    }),
    tts: createSimTts({
      seed,
      scheduler,
      provider_id: `tts-sim${suffix}`,
      chunk_count: options.sim_pacing?.tts?.chunk_count ?? 1,
      chunk_interval_ms: options.sim_pacing?.tts?.chunk_interval_ms ?? 40,
      ...(faults.tts === undefined ? {} : { fault: faults.tts }),
    }),
  });
  const main = sims('', f);
  const backup = options.backups === true ? sims('-b', {}) : null;
  return {
    stt: backup === null ? [main.stt] : [main.stt, backup.stt],
    llm: backup === null ? [main.llm] : [main.llm, backup.llm],
    tts: backup === null ? [main.tts] : [main.tts, backup.tts],
  };
}

/**
 * The providers a run can build for a pipeline file (the sims and their `-b` backups): what
 * `loadPipelineFile` checks a file against. The sims are built unstarted and dropped.
 */
export function runProviders(): readonly AvailableProvider[] {
  return availableProvidersOf(simCatalogue({ backups: true }, createSimTime().scheduler));
}

/** Builds the runtime `rspp run` uses: sim providers on simulated time, Stage-A evidence. */
export function buildSimRuntime(
  options: Omit<RunOptions, 'script' | 'onOutput' | 'session_id' | 'tenant_id'>,
): SimRuntime {
  const time = createSimTime();
  const { pipeline } = options;
  const catalogue = simCatalogue(
    pipeline === undefined ? options : { ...options, backups: true },
    time.scheduler,
  );
  const inputs = pipeline === undefined ? undefined : pipelineRuntimeInputs(pipeline, catalogue);
  const graph = inputs?.graph ?? options.graph;
  const validator = createContractValidator();
  const evidence = createStageAEvidence({
    validator,
    ...(options.sink === undefined ? {} : { sink: options.sink }),
    ...(options.failBaselineAppends === true ? { failBaselineAppends: true } : {}),
  });
  const runtime = createRuntime({
    bus: options.bus,
    clock: time.clock,
    validator,
    providers: inputs?.providers ?? catalogue,
    evidence: (session: SessionIdentity): SessionEvidence => evidence(session),
    ...(graph === undefined ? {} : { graph }),
    ...(inputs === undefined ? {} : { snapshot: inputs.snapshot }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  return { runtime, time, session: inputs?.session ?? {} };
}

/** Runs the script to its end, stops the runtime (drain) and collects the bus deliveries. */
export async function runScriptedSession(options: RunOptions): Promise<RunResult> {
  const { runtime, time, session } = buildSimRuntime(options);
  const session_id = options.session_id ?? 'demo';
  const tenant_id = options.tenant_id ?? 'local';
  const delivered: BusEnvelope[] = [];
  const subscription = await options.bus.subscribe(
    tenant_id,
    session_id,
    (envelope) => {
      delivered.push(envelope);
    },
    { direction: 'egress' },
  );
  runtime.openSession({ session_id, tenant_id, authority_epoch: 1, ...session });
  const outputs: RuntimeOutput[] = [];
  runtime.subscribe(session_id, (output) => {
    outputs.push(output);
    options.onOutput?.(output);
  });
  const script = options.script ?? BUILT_IN_SCRIPT;
  let n = 0;
  for (const step of script.steps) {
    await time.advanceTo(step.at_ms);
    n += 1;
    runtime.feed(session_id, transportEvent(session_id, step, n, 1));
  }
  await time.advanceTo(script.end_ms);
  await runtime.stop();
  const published = runtime.published(session_id);
  const total = published.ControlLane + published.DataLane + published.TelemetryLane;
  await waitFor(() => delivered.length >= total, options.deliveryTimeoutMs ?? 10_000);
  await subscription.close();
  const control = delivered
    .map((e) => e.record)
    .filter((r): r is ControlSignal => r.lane === 'ControlLane');
  return { control, delivered, outputs };
}

/** Polls `done` on the event loop until it holds or `timeout_ms` of wall time passed. */
async function waitFor(done: () => boolean, timeout_ms: number): Promise<void> {
  const deadline = Date.now() + timeout_ms;
  while (!done() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
