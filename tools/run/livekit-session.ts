/**
 * Runs a LiveKit room through one session of sim providers (ADR 0045): the LiveKit transport's
 * ingress is fed to the runtime, the runtime's audio goes back through the transport's egress
 * fence to the agent's track, and its lifecycle signals fence and end turns there. Time is
 * simulated: a joined room holds it to the wall clock, the dry run (a fake room playing the
 * spec's default scenario) runs as fast as it can.
 */
import type { RuntimeOutput } from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import {
  createIngressStamper,
  type IngressStamper,
  type LocalTransportEvent,
} from '../../adapters/transport/core/index.ts';
import {
  createLiveKitTransport,
  type LiveKitBinding,
  type LiveKitConfig,
  type LiveKitLifecycleEvent,
  type LiveKitOutput,
  type LiveKitTransport,
  type OutputDecision,
  type RoomTrackLike,
} from '../../adapters/transport/livekit/index.ts';
import type { ControlSignal } from '../../contracts/index.ts';
import { buildSimRuntime, type SimRuntime } from './session-run.ts';
import type { Pacer } from './wall-pacer.ts';

/** Sim speech at about 200 words a minute: 15 frames of 20 ms per word, in real time. */
const SIM_PACING = { tts: { chunk_count: 15, chunk_interval_ms: 20 } } as const;

/** Options of {@link startLiveKitSession}. */
export type LiveKitSessionOptions<TTrack extends RoomTrackLike> = {
  readonly config: LiveKitConfig;
  readonly binding: LiveKitBinding<TTrack>;
  readonly url: string;
  readonly token: string;
  readonly seed?: number;
  /** Sees every runtime output as it happens. */
  readonly onOutput?: (output: RuntimeOutput) => void;
  /** The agent source's queue (default 1000 ms; tests and the dry run pass more). */
  readonly output_queue_ms?: number;
  readonly silence_ms?: number;
  readonly stall_ms?: number;
};

/** A started session and what it has seen so far. */
export type LiveKitSession = {
  readonly runtime: SimRuntime['runtime'];
  readonly time: SimRuntime['time'];
  readonly transport: LiveKitTransport;
  readonly stamper: IngressStamper;
  /** Every ingress event fed, with the runtime's answer. */
  readonly fed: readonly { event: LocalTransportEvent; accepted: boolean; code?: string }[];
  readonly control: readonly ControlSignal[];
  readonly decisions: readonly OutputDecision[];
  readonly lifecycle: readonly LiveKitLifecycleEvent[];
  /** Frames of a fenced turn handed to the agent's source (must stay 0). */
  readonly capturedAfterFence: number;
  /** Hands the transport one output as if the runtime sent it; its decision is recorded. */
  deliver(output: LiveKitOutput): OutputDecision | null;
  /** Moves the session to a newer authority epoch (runtime and transport). */
  setEpoch(authority_epoch: number): void;
  /** Leaves the room, drains the runtime (a live turn ends with one terminal) and the bus. */
  stop(): Promise<void>;
};

/** The LiveKit event kind of an ingress event (`evt-livekit-<NNN>-<kind>`). */
function eventKind(kind: string): string {
  if (kind === 'audio_frame') return 'ingress_audio';
  if (kind === 'transcript_final') return 'ingress_data';
  return kind;
}

/** Opens the session, joins the room and publishes the agent's track. */
export async function startLiveKitSession<TTrack extends RoomTrackLike>(
  options: LiveKitSessionOptions<TTrack>,
): Promise<LiveKitSession> {
  const { config } = options;
  const session_id = config.session_id;
  const bus = createEmbeddedBus();
  const { runtime, time } = buildSimRuntime({
    bus,
    seed: options.seed ?? 1,
    sim_pacing: SIM_PACING,
  });
  runtime.openSession({
    session_id,
    tenant_id: 'local',
    authority_epoch: config.authority_epoch,
    pipeline_version: config.pipeline_version,
  });
  const fed: { event: LocalTransportEvent; accepted: boolean; code?: string }[] = [];
  const control: ControlSignal[] = [];
  const decisions: OutputDecision[] = [];
  const lifecycle: LiveKitLifecycleEvent[] = [];
  let capturedAfterFence = 0;
  let transport: LiveKitTransport | null = null;
  const deliver = (output: LiveKitOutput) => {
    const decision = transport?.deliver(output) ?? null;
    if (decision !== null) decisions.push(decision);
    return decision;
  };
  runtime.subscribe(session_id, (output) => {
    options.onOutput?.(output);
    if (output.kind === 'control') {
      control.push(output.record);
      const { turn_id, signal } = output.record;
      if (typeof turn_id === 'string') deliver({ kind: 'lifecycle', turn_id, signal });
      return;
    }
    if (output.kind !== 'data' || output.pcm === undefined) return;
    const { turn_id, authority_epoch, event_id } = output.record;
    if (typeof turn_id !== 'string') return;
    const rate = (output.payload as { sample_rate_hz?: unknown }).sample_rate_hz;
    deliver({
      kind: 'audio',
      event_id: String(event_id),
      turn_id,
      ...(typeof authority_epoch === 'number' ? { authority_epoch } : {}),
      pcm: output.pcm,
      sample_rate_hz: typeof rate === 'number' ? rate : 16_000,
    });
  });
  const stamper = createIngressStamper({
    session_id,
    source: 'livekit',
    pipeline_version: config.pipeline_version,
    authority_epoch: config.authority_epoch,
    event_id: (n, kind) => `evt-livekit-${String(n).padStart(3, '0')}-${eventKind(kind)}`,
  });
  const { clock } = time;
  const live = createLiveKitTransport({
    binding: options.binding,
    url: options.url,
    token: options.token,
    stamper,
    now: () => clock.now(),
    schedule: (run, ms) => {
      const handle = clock.setTimeout(run, ms);
      return () => clock.clearTimeout(handle);
    },
    feed: (event) => {
      const result = runtime.feed(session_id, event);
      fed.push(
        result.accepted
          ? { event, accepted: true }
          : { event, accepted: false, code: result.rejection.code },
      );
      return result;
    },
    default_data_class: config.default_data_class,
    authority_epoch: config.authority_epoch,
    onLifecycle: (event) => lifecycle.push(event),
    onCapture: (turn_id) => {
      if (live.egress?.isFenced(turn_id) === true) capturedAfterFence += 1;
    },
    ...(options.output_queue_ms === undefined ? {} : { output_queue_ms: options.output_queue_ms }),
    ...(options.silence_ms === undefined ? {} : { silence_ms: options.silence_ms }),
    ...(options.stall_ms === undefined ? {} : { stall_ms: options.stall_ms }),
  });
  transport = live;
  await live.connect();
  return {
    runtime,
    time,
    transport: live,
    stamper,
    fed,
    control,
    decisions,
    lifecycle,
    deliver,
    get capturedAfterFence() {
      return capturedAfterFence;
    },
    setEpoch(authority_epoch) {
      live.setEpoch(authority_epoch);
      runtime.setAuthority(session_id, { authority_epoch });
    },
    async stop() {
      await time.settle();
      await live.close();
      await runtime.stop();
      await bus.close();
    },
  };
}

/** Runs a joined session until the call ends (or `max_ms` passed), time held by `pace`. */
export async function runLiveKitSession<TTrack extends RoomTrackLike>(
  options: LiveKitSessionOptions<TTrack>,
  pace: Pacer,
  max_ms = Number.POSITIVE_INFINITY,
): Promise<{ end: 'ended' | 'disconnected' | 'time_limit'; session: LiveKitSession }> {
  const session = await startLiveKitSession(options);
  let end: 'ended' | 'disconnected' | 'time_limit' | null = null;
  void session.transport.done.then((how) => {
    end ??= how;
  });
  while (end === null) {
    const next = session.time.clock.now() + 10;
    if (next > max_ms) end = 'time_limit';
    await session.time.advanceTo(next);
    await pace(next);
  }
  await session.stop();
  return { end, session };
}
