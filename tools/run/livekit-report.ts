/**
 * The mapping report of `rspp livekit` (spec: providers-transport, LiveKit adapter): the
 * settings (secrets only as set or not), the ingress records fed with their RK-22 class, the
 * ControlLane signals (RK-23 ones with their `livekit_<kind>` mapping reason), the room's
 * lifecycle events, the egress decisions, the fence counters and the probe. `runLiveKitDryRun`
 * produces it without a server: the real transport and rtc-node audio objects against the fake
 * room playing the spec's default scenario (connected, a caller's utterance proposing a turn, its
 * audio, the reply's output, a cancel, a late output that must be fenced, ended).
 */
import {
  callerFrame,
  createFakeBinding,
  createFakeRoom,
  PROBE_SKIPPED,
  TOPICS,
  type LiveKitConfig,
  type LiveKitLifecycleEvent,
  type OutputDecision,
  type ProbeResult,
} from '../../adapters/transport/livekit/index.ts';
import type { LiveKitSession } from './livekit-session.ts';
import { startLiveKitSession } from './livekit-session.ts';

/** The report `rspp livekit` writes. */
export type LiveKitReport = {
  readonly report: 'rspp-livekit-mapping/v1';
  readonly mode: 'dry_run' | 'probe' | 'join';
  readonly config: Record<string, string | number | boolean | null>;
  readonly ingress_records: readonly Record<string, unknown>[];
  readonly control_signals: readonly Record<string, unknown>[];
  readonly lifecycle_events: readonly LiveKitLifecycleEvent[];
  readonly output_decisions: readonly OutputDecision[];
  readonly fence: {
    readonly captured_after_fence: number;
    readonly fenced_outputs: number;
    readonly dropped_frames: number;
  };
  readonly probe: ProbeResult;
};

/** The settings as reported: secrets only as set or not. */
export function reportedConfig(config: LiveKitConfig): LiveKitReport['config'] {
  const { api_key, api_secret, url, ...rest } = config;
  return {
    url: url ?? null,
    ...rest,
    api_key_set: api_key !== undefined,
    api_secret_set: api_secret !== undefined,
  };
}

/** The report of a session (or none) and a probe. */
export function buildReport(
  mode: LiveKitReport['mode'],
  config: LiveKitConfig,
  session: LiveKitSession | null,
  probe: ProbeResult = PROBE_SKIPPED,
): LiveKitReport {
  const stats = session?.transport.egress?.stats;
  return {
    report: 'rspp-livekit-mapping/v1',
    mode,
    config: reportedConfig(config),
    ingress_records: (session?.fed ?? []).map(({ event, accepted, code }) => ({
      event_id: event.record.event_id,
      kind: event.kind,
      lane: event.record.lane,
      payload_class: event.record.payload_class,
      transport_sequence: event.record.transport_sequence,
      runtime_timestamp_ms: event.record.runtime_timestamp_ms,
      authority_epoch: event.record.authority_epoch,
      ...(event.kind === 'audio_frame' ? { pts_ms: event.record.media_time?.pts_ms } : {}),
      ...(event.kind === 'connection' || event.kind === 'cancel'
        ? { signal: event.record.signal }
        : {}),
      accepted,
      ...(code === undefined ? {} : { refused: code }),
    })),
    control_signals: (session?.control ?? []).map((s) => ({
      event_id: s.event_id,
      signal: s.signal,
      emitted_by: s.emitted_by,
      ...(typeof s.reason === 'string' ? { reason: s.reason } : {}),
      // The registry fixes the reasons of connection signals; the adapter's mapping is beside it.
      ...(s.emitted_by === 'RK-23' ? { mapping_reason: `livekit_${s.signal}` } : {}),
      ...(typeof s.turn_id === 'string' ? { turn_id: s.turn_id } : {}),
      runtime_timestamp_ms: s.runtime_timestamp_ms,
    })),
    lifecycle_events: session?.lifecycle ?? [],
    output_decisions: session?.decisions ?? [],
    fence: {
      captured_after_fence: session?.capturedAfterFence ?? 0,
      fenced_outputs: stats?.fenced_outputs ?? 0,
      dropped_frames: stats?.dropped_frames ?? 0,
    },
    probe,
  };
}

const FRAME_MS = 10;
const RATE = 48_000;

/** Plays the default scenario against the fake room and reports it. */
export async function runLiveKitDryRun(
  config: LiveKitConfig,
  probe: ProbeResult = PROBE_SKIPPED,
): Promise<LiveKitReport> {
  const room = createFakeRoom();
  const session = await startLiveKitSession({
    config,
    binding: createFakeBinding(room),
    url: config.url ?? 'ws://dry-run.invalid',
    token: 'dry-run',
    // Enough room that captures never wait for real-time playout.
    output_queue_ms: 120_000,
  });
  const { time } = session;
  let at = 0;
  const step = async (ms: number) => {
    at += ms;
    await time.advanceTo(at);
  };
  const { participant, track } = room.joinCaller('caller');
  // An utterance: 0.8 s of tone, then quiet until its end is detected (500 ms).
  for (let k = 0; k < 140; k += 1) {
    track.push(callerFrame(RATE, FRAME_MS, k < 80, k * 480));
    await step(FRAME_MS);
  }
  // The reply plays until its first audio is out, then the caller cancels it.
  while (session.decisions.length === 0 && at < 10_000) await step(FRAME_MS);
  await step(200);
  const turn = session.decisions[0]?.turn_id ?? config.turn_id;
  room.sendData(participant, '', TOPICS.cancel);
  await step(100);
  // A chunk of the cancelled turn still in flight (as from the bus) arrives after the cancel.
  session.deliver({
    kind: 'audio',
    event_id: `evt-livekit-late-${turn}`,
    turn_id: turn,
    authority_epoch: config.authority_epoch,
    pcm: new Int16Array(320),
    sample_rate_hz: 16_000,
  });
  await step(500);
  room.emit('participantDisconnected', participant);
  await step(100);
  await session.transport.egress?.idle();
  await session.stop();
  return buildReport('dry_run', config, session, probe);
}
