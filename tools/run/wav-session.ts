/**
 * Runs a WAV file through one session of sim providers on simulated time (ADR 0040): the wav
 * transport's frames and voice-activity events are fed at their capture times, the agent's
 * audio is laid out on the input's timeline (cut where a turn ended early), and once the input
 * has ended and the agent is done the transport reports `ended`. Fast by default; a pacer holds
 * it to real time.
 */
import type { RuntimeOutput } from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import { createIngressStamper } from '../../adapters/transport/core/index.ts';
import {
  createOutputTimeline,
  createWavSource,
  encodeWav,
  resamplePcm16,
  type DecodedWav,
  type WavSourceOptions,
} from '../../adapters/transport/wav/index.ts';
import type { CompiledPipeline } from '../../actors/pipeline/compile.ts';
import type { ControlSignal, EvidenceSinkPort } from '../../contracts/index.ts';
import { buildSimRuntime } from './session-run.ts';
import { FAST, type Pacer } from './wall-pacer.ts';

/** Options of {@link runWavSession}. */
export type WavRunOptions = {
  readonly input: DecodedWav;
  readonly seed?: number;
  /** Holds the run to real time (default: as fast as possible). */
  readonly pace?: Pacer;
  readonly vad?: WavSourceOptions['vad'];
  /** Sees every runtime output as it happens. */
  readonly onOutput?: (output: RuntimeOutput) => void;
  /** Longest wait for the agent after the input ended (default 30 000 ms). */
  readonly tail_ms?: number;
  /** Where the OR-02 evidence goes (default: released). */
  readonly sink?: EvidenceSinkPort;
  /** A loaded pipeline file to run instead of the default graph (it has STT and TTS nodes). */
  readonly pipeline?: CompiledPipeline;
};

/** What a run produced. */
export type WavRunResult = {
  /** The output file: the agent's audio on the input's timeline, PCM16 mono. */
  readonly wav: Uint8Array;
  readonly sample_rate_hz: number;
  readonly duration_ms: number;
  /** ControlLane records in order. */
  readonly control: readonly ControlSignal[];
  readonly utterances: number;
  /** Ingress events the runtime refused (codes only); a healthy run has none. */
  readonly refused: readonly string[];
};

const SESSION = 'wav';
/** Sim speech at about 200 words a minute: 15 frames of 20 ms per word, in real time. */
const SIM_PACING = { tts: { chunk_count: 15, chunk_interval_ms: 20 } } as const;
/** Quiet time after the input's last event before the agent counts as done. */
const SETTLE_MS = 1500;
const TAIL_STEP_MS = 100;

/** Runs `input` through a sim session and renders the output WAV. */
export async function runWavSession(options: WavRunOptions): Promise<WavRunResult> {
  const bus = createEmbeddedBus();
  const { runtime, time, session } = buildSimRuntime({
    bus,
    seed: options.seed ?? 1,
    sim_pacing: SIM_PACING,
    ...(options.sink === undefined ? {} : { sink: options.sink }),
    ...(options.pipeline === undefined ? {} : { pipeline: options.pipeline }),
  });
  const pace = options.pace ?? FAST;
  const { pcm, sample_rate_hz } = options.input;
  runtime.openSession({ session_id: SESSION, tenant_id: 'local', authority_epoch: 1, ...session });
  const timeline = createOutputTimeline(sample_rate_hz);
  const control: ControlSignal[] = [];
  const open = new Set<string>();
  runtime.subscribe(SESSION, (output) => {
    options.onOutput?.(output);
    if (output.kind === 'data' && output.pcm !== undefined) {
      const turn = output.record.turn_id ?? '-';
      const rate = rateOf(output.payload) ?? sample_rate_hz;
      timeline.play(turn, time.clock.now(), resamplePcm16(output.pcm, rate, sample_rate_hz));
    }
    if (output.kind !== 'control') return;
    const { signal, turn_id } = output.record;
    control.push(output.record);
    if (typeof turn_id !== 'string') return;
    if (signal === 'turn_open') open.add(turn_id);
    if (signal === 'close') open.delete(turn_id);
    if (signal === 'playback_cancelled') timeline.cut(turn_id, time.clock.now());
  });
  const stamper = createIngressStamper({ session_id: SESSION, source: 'wav' });
  const source = createWavSource(pcm, sample_rate_hz, {
    stamper,
    ...(options.vad === undefined ? {} : { vad: options.vad }),
  });
  const refused: string[] = [];
  const feed = (events: ReturnType<typeof source.step>) => {
    for (const event of events) {
      const result = runtime.feed(SESSION, event);
      if (!result.accepted) refused.push(`${event.kind}: ${result.rejection.code}`);
    }
  };
  const step = async (at_ms: number) => {
    await time.advanceTo(at_ms);
    await pace(at_ms);
  };
  for (let k = 0; k < source.frames; k += 1) {
    await step(source.arrivalMs(k));
    feed(source.step(k));
  }
  const inputEnd = source.frames === 0 ? 0 : source.arrivalMs(source.frames - 1);
  feed(source.finish(inputEnd));
  // The caller stays on the line until the agent has answered and finished speaking.
  const deadline = inputEnd + (options.tail_ms ?? 30_000);
  let now = inputEnd;
  while (now < deadline && (now < inputEnd + SETTLE_MS || open.size > 0 || timeline.endMs > now)) {
    now += TAIL_STEP_MS;
    await step(now);
  }
  feed([stamper.connection(now, 'ended')]);
  await time.settle();
  await runtime.stop();
  await bus.close();
  const duration_ms = Math.max(inputEnd, timeline.endMs);
  return {
    wav: encodeWav(timeline.render(duration_ms), sample_rate_hz),
    sample_rate_hz,
    duration_ms,
    control,
    utterances: source.utterances,
    refused,
  };
}

/** The sample rate an audio payload declares. */
function rateOf(payload: unknown): number | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const rate = (payload as { sample_rate_hz?: unknown }).sample_rate_hz;
  return typeof rate === 'number' && rate > 0 ? rate : undefined;
}
