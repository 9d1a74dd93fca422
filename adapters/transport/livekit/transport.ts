/**
 * The LiveKit transport: joins a room as the agent participant, reads the caller's audio (the
 * first remote participant whose audio track it subscribes to), publishes the agent's audio,
 * and maps room, participant, track and data events to RK-22 ingress and RK-23 connection
 * signals: `connected` (joined, or rejoined after `reconnecting`), `reconnecting`,
 * `disconnected` (the link broke), `ended` (the caller left, or the room or the agent's place in
 * it is gone), `silence` (`silence_ms` without the caller's speech) and `stall` (the caller's
 * unmuted track delivered no frame for `stall_ms`). Runtime output comes back through `deliver`:
 * audio goes through the egress fence (egress.ts), `playback_cancelled` fences its turn.
 */
import type { AudioFrame } from '@livekit/rtc-node';
import { TrackKind } from '@livekit/rtc-node';
import type {
  ConnectionSignalName,
  IngressStamper,
  LocalTransportEvent,
  VadOptions,
} from '../core/index.ts';
import { createCallerAudio } from './caller-audio.ts';
import { classifyData, disconnectSignal } from './classify.ts';
import type { DataClass } from './config.ts';
import { createAgentEgress, type AgentEgress, type OutputDecision } from './egress.ts';
import type {
  AudioSourcePort,
  LiveKitBinding,
  LiveKitRoomEvents,
  RoomParticipantLike,
  RoomTrackLike,
} from './room-port.ts';

/** What the runtime answered to one fed event (its `FeedResult`, narrowed). */
export type LiveKitFeedResult =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly rejection: { readonly code: string } };

/** A runtime output the transport acts on. */
export type LiveKitOutput =
  | {
      readonly kind: 'audio';
      readonly event_id: string;
      readonly turn_id: string;
      readonly authority_epoch?: number;
      readonly pcm: Int16Array;
      readonly sample_rate_hz: number;
    }
  | { readonly kind: 'lifecycle'; readonly turn_id: string; readonly signal: string };

/** A room event as seen, for the report (sids only, never identities or content). */
export type LiveKitLifecycleEvent = {
  readonly at_ms: number;
  readonly event: string;
  readonly detail?: string;
};

/** Options of {@link createLiveKitTransport}. */
export type LiveKitTransportOptions<TTrack extends RoomTrackLike> = {
  readonly binding: LiveKitBinding<TTrack>;
  readonly url: string;
  readonly token: string;
  readonly stamper: IngressStamper;
  readonly now: () => number;
  /** Runs `run` after `ms` of the session's time; returns a cancel. */
  readonly schedule: (run: () => void, ms: number) => () => void;
  readonly feed: (event: LocalTransportEvent) => LiveKitFeedResult;
  readonly default_data_class: DataClass;
  readonly authority_epoch?: number;
  readonly onLifecycle?: (event: LiveKitLifecycleEvent) => void;
  readonly onCapture?: (turn_id: string) => void;
  /** The agent track's rate (default 48 000 Hz) and source queue (default 1000 ms). */
  readonly output_rate_hz?: number;
  readonly output_queue_ms?: number;
  readonly silence_ms?: number;
  readonly stall_ms?: number;
  readonly vad?: VadOptions;
};

/** A joined room. */
export type LiveKitTransport = {
  /** Joins the room and publishes the agent's track; reports `connected`. */
  connect(): Promise<void>;
  /** Acts on one runtime output; an audio output gets its RK-22 decision. */
  deliver(output: LiveKitOutput): OutputDecision | null;
  /** Cancels the reply being played: fenced here first, then a `cancel` is fed. */
  cancel(): void;
  /** Moves to a newer authority epoch: older turns are fenced, later records carry it. */
  setEpoch(authority_epoch: number): void;
  /** Reports an RK-23 signal. */
  connection(signal: ConnectionSignalName): void;
  readonly egress: AgentEgress | null;
  /** Settles when the call is over. */
  readonly done: Promise<'ended' | 'disconnected'>;
  /** Leaves the room and releases the audio objects. */
  close(): Promise<void>;
};

/** Creates the transport; nothing happens before `connect`. */
export function createLiveKitTransport<TTrack extends RoomTrackLike>(
  options: LiveKitTransportOptions<TTrack>,
): LiveKitTransport {
  const { binding, stamper, now, schedule } = options;
  const { room } = binding;
  const lifecycle = (event: string, detail?: string) =>
    options.onLifecycle?.({ at_ms: now(), event, ...(detail === undefined ? {} : { detail }) });
  const feed = (event: LocalTransportEvent) => {
    const result = options.feed(event);
    if (!result.accepted) lifecycle('ingress_refused', `${event.kind}: ${result.rejection.code}`);
    return result.accepted;
  };
  const report = (signal: ConnectionSignalName) => {
    lifecycle('signal', signal);
    feed(stamper.connection(now(), signal));
  };
  const caller = createCallerAudio(stamper, options.vad);
  let egress: AgentEgress | null = null;
  let source: AudioSourcePort | null = null;
  let callerSid: string | undefined;
  let callerIdentity: string | undefined;
  let stopReading: (() => void) | null = null;
  let muted = false;
  let finished = false;

  let settle: (how: 'ended' | 'disconnected') => void = () => undefined;
  const done = new Promise<'ended' | 'disconnected'>((resolve) => {
    settle = (how) => {
      if (finished) return;
      finished = true;
      cancelSilence?.();
      cancelStall?.();
      report(how);
      resolve(how);
    };
  });

  let cancelSilence: (() => void) | null = null;
  const armSilence = () => {
    cancelSilence?.();
    cancelSilence = schedule(() => {
      cancelSilence = null;
      if (!finished) report('silence');
    }, options.silence_ms ?? 30_000);
  };
  let cancelStall: (() => void) | null = null;
  const armStall = () => {
    cancelStall?.();
    cancelStall = null;
    if (stopReading === null || muted || finished) return;
    cancelStall = schedule(() => {
      cancelStall = null;
      if (!finished) report('stall');
    }, options.stall_ms ?? 5000);
  };

  const onFrame = (frame: AudioFrame) => {
    if (finished) return;
    armStall();
    const wasSpeaking = caller.speaking;
    for (const event of caller.push(frame, now())) feed(event);
    if (caller.speaking || wasSpeaking) armSilence();
  };
  const isCaller = (p: RoomParticipantLike) =>
    callerIdentity !== undefined && p.identity === callerIdentity;

  const handlers: { [E in keyof LiveKitRoomEvents<TTrack>]: LiveKitRoomEvents<TTrack>[E] } = {
    connected: () => lifecycle('room_connected'),
    reconnecting: () => {
      lifecycle('room_reconnecting');
      report('reconnecting');
    },
    reconnected: () => {
      lifecycle('room_reconnected');
      report('connected');
    },
    disconnected: (reason) => {
      lifecycle('room_disconnected', String(reason));
      settle(disconnectSignal(reason));
    },
    participantConnected: (p) => lifecycle('participant_connected', p.sid),
    participantDisconnected: (p) => {
      lifecycle('participant_disconnected', p.sid);
      if (isCaller(p)) settle('ended');
    },
    trackSubscribed: (track, publication, p) => {
      if (track.kind !== TrackKind.KIND_AUDIO) return lifecycle('track_ignored', publication.sid);
      if (callerIdentity !== undefined && !isCaller(p))
        return lifecycle('track_ignored', publication.sid);
      callerIdentity = p.identity;
      callerSid = publication.sid;
      lifecycle('track_subscribed', publication.sid);
      stopReading?.();
      stopReading = binding.readAudio(track, onFrame, (error) => {
        lifecycle('track_ended', error === undefined ? undefined : 'error');
      });
      armStall();
    },
    trackUnsubscribed: (_track, publication, p) => {
      if (!isCaller(p) || publication.sid !== callerSid) return;
      lifecycle('track_unsubscribed', publication.sid);
      stopReading?.();
      stopReading = null;
      armStall();
    },
    trackMuted: (publication, p) => {
      if (!isCaller(p)) return;
      lifecycle('track_muted', publication.sid);
      muted = true;
      armStall();
    },
    trackUnmuted: (publication, p) => {
      if (!isCaller(p)) return;
      lifecycle('track_unmuted', publication.sid);
      muted = false;
      armStall();
    },
    dataReceived: (payload, _participant, _kind, topic) => {
      const c = classifyData(payload, topic, options.default_data_class);
      if (!c.accepted) return lifecycle('data_rejected', c.reason);
      if (c.lane === 'cancel') return cancel();
      lifecycle('data_classified', `${c.lane}/${c.payload_class}`);
      // The runtime takes words on the DataLane; other classes are classified, not fed.
      if (c.lane !== 'DataLane' || c.payload_class !== 'text_raw' || c.text.trim() === '') return;
      feed(stamper.speechStarted(now()));
      feed(stamper.transcript(now(), c.text.trim()));
      armSilence();
    },
  };

  const cancel = () => {
    const turn = egress?.playing;
    if (turn !== undefined) egress?.fence(turn, 'cancel');
    feed(stamper.cancel(now(), turn));
  };

  return {
    async connect() {
      for (const [event, listener] of Object.entries(handlers))
        (room.on as (e: string, l: unknown) => unknown)(event, listener);
      await room.connect(options.url, options.token, { autoSubscribe: true, dynacast: false });
      source = await binding.openOutput(
        options.output_rate_hz ?? 48_000,
        options.output_queue_ms ?? 1000,
      );
      egress = createAgentEgress({
        source,
        ...(options.output_rate_hz === undefined ? {} : { sample_rate_hz: options.output_rate_hz }),
        ...(options.authority_epoch === undefined
          ? {}
          : { authority_epoch: options.authority_epoch }),
        ...(options.onCapture === undefined ? {} : { onCapture: options.onCapture }),
      });
      lifecycle('agent_track_published');
      report('connected');
      armSilence();
    },
    deliver(output) {
      if (egress === null) return null;
      if (output.kind === 'audio') return egress.play(output);
      if (output.signal === 'playback_cancelled') egress.fence(output.turn_id, 'cancel');
      if (output.signal === 'commit' || output.signal === 'close') egress.end(output.turn_id);
      return null;
    },
    cancel,
    setEpoch(authority_epoch) {
      stamper.setEpoch(authority_epoch);
      egress?.setEpoch(authority_epoch);
    },
    connection: report,
    get egress() {
      return egress;
    },
    done,
    async close() {
      settle('ended');
      stopReading?.();
      stopReading = null;
      for (const [event, listener] of Object.entries(handlers))
        (room.off as (e: string, l: unknown) => unknown)(event, listener);
      await room.disconnect();
      await egress?.close();
      await source?.close();
      caller.close();
    },
  };
}
