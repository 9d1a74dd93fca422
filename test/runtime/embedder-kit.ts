/**
 * What an embedder does with the Runtime, as a test harness: sims on simulated time, one open
 * session, everything `subscribe()` delivers and everything the bus carried out, and `feed()`
 * with the ingress records a transport would build.
 */
import {
  createRuntime,
  type FeedResult,
  type GraphSpec,
  type IngressKind,
  type RuntimeLimits,
  type RuntimeOptions,
  type RuntimeOutput,
} from '../../actors/index.ts';
import type { ControlPlaneSnapshot } from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import {
  createSimLlm,
  createSimStt,
  createSimTts,
  type SimLlmOptions,
  type SimTtsOptions,
} from '../../adapters/providers/sim/index.ts';
import {
  createContractValidator,
  type BusEnvelope,
  type BusPort,
  type ControlSignal,
  type LlmInput,
  type LlmPort,
  type TtsPort,
} from '../../contracts/index.ts';
import { createStageAEvidence } from '../../tools/run/evidence.ts';
import { ingressRecord } from '../../tools/run/script.ts';
import { createSimTime, type SimTime } from '../../tools/run/sim-time.ts';

/** The JSON half of every audio output of the sim TTS: 20 ms of 16 kHz PCM16 mono. */
export const SIM_AUDIO_FRAME = {
  kind: 'audio',
  encoding: 'pcm16le',
  sample_rate_hz: 16_000,
  channels: 1,
  duration_ms: 20,
  samples: 320,
} as const;

/** What one embedder session is built from. */
export type EmbedderOptions = {
  readonly bus?: BusPort;
  readonly session_id?: string;
  readonly graph?: GraphSpec;
  readonly limits?: Partial<RuntimeLimits>;
  readonly snapshot?: ControlPlaneSnapshot;
  readonly inspect?: RuntimeOptions['inspect'];
  readonly telemetry?: RuntimeOptions['telemetry'];
  /** LLM sims (default one `llm-sim`); each gets the session's scheduler. */
  readonly llm?: readonly Omit<SimLlmOptions, 'scheduler' | 'seed'>[];
  readonly tts?: readonly Omit<SimTtsOptions, 'scheduler' | 'seed'>[];
};

/** An LLM port that records every message each attempt read, and the calls made. */
function recordingLlm(port: LlmPort, reads: LlmInput[][]): LlmPort {
  return {
    capabilities: port.capabilities,
    stream: (request) => {
      const read: LlmInput[] = [];
      reads.push(read);
      const input = request.input;
      return port.stream({
        ...request,
        input: {
          async *[Symbol.asyncIterator]() {
            for await (const message of input) {
              read.push(message);
              yield message;
            }
          },
        },
      });
    },
  };
}

/** One session of a fresh runtime, with what it delivered and what crossed the bus. */
export type EmbedderSession = Awaited<ReturnType<typeof openEmbedder>>;

/** Opens one session on a fresh runtime (sims on simulated time) and collects its outputs. */
export async function openEmbedder(options: EmbedderOptions = {}) {
  const time: SimTime = createSimTime();
  const bus = options.bus ?? createEmbeddedBus();
  const validator = createContractValidator();
  const scheduler = time.scheduler;
  const llmReads: LlmInput[][] = [];
  const llm: LlmPort[] = (options.llm ?? [{}]).map((o) =>
    recordingLlm(createSimLlm({ seed: 1, scheduler, ...o }), llmReads),
  );
  const tts: TtsPort[] = (options.tts ?? [{ chunk_count: 1, chunk_interval_ms: 40 }]).map((o) =>
    createSimTts({ seed: 1, scheduler, ...o }),
  );
  const runtime = createRuntime({
    bus,
    clock: time.clock,
    validator,
    providers: { stt: [createSimStt({ seed: 1, scheduler })], llm, tts },
    evidence: createStageAEvidence({ validator }),
    ...(options.graph === undefined ? {} : { graph: options.graph }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.snapshot === undefined ? {} : { snapshot: options.snapshot }),
    ...(options.inspect === undefined ? {} : { inspect: options.inspect }),
    ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
  });
  const session_id = options.session_id ?? 's1';
  const delivered: BusEnvelope[] = [];
  const subscription = await bus.subscribe(
    't1',
    session_id,
    (envelope) => {
      delivered.push(envelope);
    },
    {
      direction: 'egress',
      limits: { ControlLane: { capacity: 65_536 }, DataLane: { capacity: 65_536 } },
    },
  );
  runtime.openSession({ session_id, tenant_id: 't1', authority_epoch: 1 });
  const outputs: RuntimeOutput[] = [];
  runtime.subscribe(session_id, (output) => outputs.push(output));
  let n = 0;
  const ids: string[] = [];
  const feed = (kind: IngressKind, text?: string): FeedResult => {
    n += 1;
    const step = { at_ms: time.clock.now(), kind, ...(text === undefined ? {} : { text }) };
    const record = ingressRecord(session_id, step, n, 1);
    ids.push(String(record.event_id));
    return runtime.feed(session_id, {
      kind,
      record,
      ...(kind === 'transcript_final' && text !== undefined ? { text } : {}),
    });
  };
  const control = (): ControlSignal[] =>
    outputs.flatMap((o) => (o.kind === 'control' ? [o.record] : []));
  const closed = (turn_id: string) =>
    control().some((s) => s.signal === 'close' && s.turn_id === turn_id);
  /** Moves simulated time until `turn_id` is closed (or `limit_ms` passed). */
  const untilClosed = async (turn_id: string, limit_ms = 20_000) => {
    const end = time.clock.now() + limit_ms;
    while (!closed(turn_id) && time.clock.now() < end) await time.advanceTo(time.clock.now() + 10);
  };
  /** Stops the runtime and waits until the bus delivered everything it published. */
  const finish = async () => {
    await runtime.stop();
    const published = runtime.published(session_id);
    const total = published.ControlLane + published.DataLane + published.TelemetryLane;
    const deadline = Date.now() + 10_000;
    while (delivered.length < total && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    await subscription.close();
    if (options.bus === undefined) await bus.close();
  };
  return {
    runtime,
    time,
    session_id,
    outputs,
    delivered,
    llmReads,
    ingressIds: ids,
    feed,
    control,
    untilClosed,
    finish,
  };
}

/** `signal(reason)` of the turn's ControlLane records, in order. */
export function turnSignals(control: readonly ControlSignal[], turn_id: string): string[] {
  return control
    .filter((s) => s.turn_id === turn_id)
    .map((s) =>
      s.reason === undefined || s.reason === s.signal ? s.signal : `${s.signal}(${s.reason})`,
    );
}
