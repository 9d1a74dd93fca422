/**
 * The narrow room port the LiveKit transport drives: the part of `@livekit/rtc-node`'s `Room`
 * it uses (connect, disconnect, the room, participant, track and data events it maps), with the
 * payload shapes reduced to the fields it reads. The real `Room` satisfies it (`rtc.ts` checks
 * this with the type system); `fake.ts` is an in-memory room emitting the same events.
 */
import type { AudioFrame, DataPacketKind, DisconnectReason, TrackKind } from '@livekit/rtc-node';

/** A participant as the transport sees it. */
export type RoomParticipantLike = {
  readonly identity: string;
  readonly sid: string | undefined;
};

/** A track or track publication as the transport sees it. */
export type RoomTrackLike = {
  readonly sid: string | undefined;
  readonly kind: TrackKind | undefined;
};

/** The room events the transport maps, with the payloads `Room` emits them with. */
export type LiveKitRoomEvents<TTrack extends RoomTrackLike> = {
  connected: () => void;
  reconnecting: () => void;
  reconnected: () => void;
  disconnected: (reason: DisconnectReason) => void;
  participantConnected: (participant: RoomParticipantLike) => void;
  participantDisconnected: (participant: RoomParticipantLike) => void;
  trackSubscribed: (
    track: TTrack,
    publication: RoomTrackLike,
    participant: RoomParticipantLike,
  ) => void;
  trackUnsubscribed: (
    track: TTrack,
    publication: RoomTrackLike,
    participant: RoomParticipantLike,
  ) => void;
  trackMuted: (publication: RoomTrackLike, participant: RoomParticipantLike) => void;
  trackUnmuted: (publication: RoomTrackLike, participant: RoomParticipantLike) => void;
  dataReceived: (
    payload: Uint8Array,
    participant?: RoomParticipantLike,
    kind?: DataPacketKind,
    topic?: string,
  ) => void;
};

/** Options the transport connects with (`Room.connect`'s `RoomOptions`, narrowed). */
type RoomConnectOptions = { readonly autoSubscribe: boolean; readonly dynacast: boolean };

/** Adds or removes one listener per event (one signature per event, as `Room` types them). */
type Listen<TMap> = UnionToIntersection<
  { [K in keyof TMap]: (event: K, listener: TMap[K]) => unknown }[keyof TMap]
>;
type UnionToIntersection<TUnion> = (
  TUnion extends unknown ? (arg: TUnion) => void : never
) extends (arg: infer TArg) => void
  ? TArg
  : never;

/** The room the transport joins; `TTrack` is the remote track type its media reads. */
export interface LiveKitRoomPort<TTrack extends RoomTrackLike> {
  connect(url: string, token: string, opts?: RoomConnectOptions): Promise<void>;
  disconnect(): Promise<void>;
  readonly on: Listen<LiveKitRoomEvents<TTrack>>;
  readonly off: Listen<LiveKitRoomEvents<TTrack>>;
}

/** Where the agent's audio goes: `AudioSource` satisfies it. */
export interface AudioSourcePort {
  captureFrame(frame: AudioFrame): Promise<void>;
  clearQueue(): void;
  /** Milliseconds of audio captured and not yet played out. */
  readonly queuedDuration: number;
  close(): Promise<void>;
}

/** A room with the media side bound to it: how the caller's audio is read and the agent's sent. */
export type LiveKitBinding<TTrack extends RoomTrackLike> = {
  readonly room: LiveKitRoomPort<TTrack>;
  /** Reads a subscribed audio track frame by frame until `stop` or its end. */
  readAudio(
    track: TTrack,
    onFrame: (frame: AudioFrame) => void,
    onEnd: (error?: unknown) => void,
  ): () => void;
  /** Publishes the agent's microphone track fed by a new source at `sample_rate_hz`, mono. */
  openOutput(sample_rate_hz: number, queue_ms: number): Promise<AudioSourcePort>;
};
