/**
 * An in-memory room for tests and the dry run: it satisfies the room port and emits the events
 * `Room` emits, with the same payload shapes (participants with identity and sid, tracks and
 * publications with sid and `TrackKind`, `DisconnectReason` codes, data as bytes with a topic).
 * Its binding reads a fake track's frames as they are pushed and gives the agent a real
 * `AudioSource` (it works without a server), or the source a test passes in.
 */
import {
  AudioFrame,
  AudioSource,
  DataPacketKind,
  DisconnectReason,
  TrackKind,
} from '@livekit/rtc-node';
import type {
  AudioSourcePort,
  LiveKitBinding,
  LiveKitRoomEvents,
  LiveKitRoomPort,
  RoomParticipantLike,
  RoomTrackLike,
} from './room-port.ts';

/** A remote track of the fake room. */
export type FakeTrack = RoomTrackLike & {
  /** Delivers one frame to whoever reads the track. */
  push(frame: AudioFrame): void;
  /** Reads the track's frames from now on; returns stop. */
  read(onFrame: (frame: AudioFrame) => void): () => void;
};

type Events = LiveKitRoomEvents<FakeTrack>;
type Listener = (...args: never[]) => void;

/** The fake room and the controls a test or scenario drives it with. */
export type FakeRoom = LiveKitRoomPort<FakeTrack> & {
  /** The URL and token of the last `connect`. */
  readonly joined: { readonly url: string; readonly token: string } | null;
  /** Emits one event with its payload, as `Room` would. */
  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void;
  /** A remote participant joins and publishes a microphone track the agent subscribes to. */
  joinCaller(identity: string): { participant: RoomParticipantLike; track: FakeTrack };
  /** The participant sends a data packet on `topic`. */
  sendData(participant: RoomParticipantLike, body: string, topic?: string): void;
  /** Listeners attached now, by event (for checking that `close` detaches them). */
  listenerCount(event: keyof Events): number;
};

/** Creates a fake room; `connect` succeeds unless `fail_connect` names an error message. */
export function createFakeRoom(options: { readonly fail_connect?: string } = {}): FakeRoom {
  const listeners = new Map<string, Set<Listener>>();
  let joined: { url: string; token: string } | null = null;
  let sids = 0;
  const sid = (prefix: string) => `${prefix}_fake${String((sids += 1))}`;
  const emit = (event: string, ...args: unknown[]) => {
    for (const listener of [...(listeners.get(event) ?? [])])
      (listener as (...a: unknown[]) => void)(...args);
  };
  const on = (event: string, listener: Listener) => {
    const set = listeners.get(event) ?? new Set();
    set.add(listener);
    listeners.set(event, set);
    return room;
  };
  const off = (event: string, listener: Listener) => {
    listeners.get(event)?.delete(listener);
    return room;
  };
  const room: FakeRoom = {
    get joined() {
      return joined;
    },
    connect(url, token) {
      if (options.fail_connect !== undefined)
        return Promise.reject(new Error(options.fail_connect));
      joined = { url, token };
      emit('connected');
      return Promise.resolve();
    },
    disconnect() {
      if (joined === null) return Promise.resolve();
      joined = null;
      emit('disconnected', DisconnectReason.CLIENT_INITIATED);
      return Promise.resolve();
    },
    on,
    off,
    emit,
    joinCaller(identity) {
      const participant: RoomParticipantLike = { identity, sid: sid('PA') };
      const readers = new Set<(frame: AudioFrame) => void>();
      const track: FakeTrack = {
        sid: sid('TR'),
        kind: TrackKind.KIND_AUDIO,
        push: (frame) => {
          for (const read of [...readers]) read(frame);
        },
        read: (onFrame) => {
          readers.add(onFrame);
          return () => readers.delete(onFrame);
        },
      };
      const publication: RoomTrackLike = { sid: track.sid, kind: TrackKind.KIND_AUDIO };
      emit('participantConnected', participant);
      emit('trackSubscribed', track, publication, participant);
      return { participant, track };
    },
    sendData(participant, body, topic) {
      emit(
        'dataReceived',
        new TextEncoder().encode(body),
        participant,
        DataPacketKind.KIND_RELIABLE,
        topic,
      );
    },
    listenerCount: (event) => listeners.get(event)?.size ?? 0,
  };
  return room;
}

/** The fake room's binding; `source` replaces the real `AudioSource` the agent would get. */
export function createFakeBinding(
  room: FakeRoom,
  options: { readonly source?: (sample_rate_hz: number, queue_ms: number) => AudioSourcePort } = {},
): LiveKitBinding<FakeTrack> & { readonly published: number } {
  let published = 0;
  return {
    room,
    get published() {
      return published;
    },
    readAudio: (track, onFrame) => track.read(onFrame),
    openOutput(sample_rate_hz, queue_ms) {
      published += 1;
      return Promise.resolve(
        options.source?.(sample_rate_hz, queue_ms) ?? new AudioSource(sample_rate_hz, 1, queue_ms),
      );
    },
  };
}

/** A 10 ms-multiple PCM16 frame of a 300 Hz tone (`loud`) or silence, as a caller's track sends. */
export function callerFrame(
  sample_rate_hz: number,
  ms: number,
  loud: boolean,
  offset = 0,
): AudioFrame {
  const n = Math.round((sample_rate_hz * ms) / 1000);
  const frame = AudioFrame.create(sample_rate_hz, 1, n);
  if (loud)
    for (let i = 0; i < n; i += 1)
      frame.data[i] = Math.round(
        8000 * Math.sin((2 * Math.PI * 300 * (offset + i)) / sample_rate_hz),
      );
  return frame;
}
