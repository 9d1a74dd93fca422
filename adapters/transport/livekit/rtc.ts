/**
 * The real binding: a `@livekit/rtc-node` `Room` (checked against the room port here by the
 * type system), the caller's track read through an `AudioStream` at its native rate, and the
 * agent's audio published as a microphone track fed by an `AudioSource`.
 */
import {
  AudioSource,
  AudioStream,
  dispose,
  LocalAudioTrack,
  Room,
  TrackPublishOptions,
  TrackSource,
  type RemoteTrack,
} from '@livekit/rtc-node';
import type { AudioSourcePort, LiveKitBinding, LiveKitRoomPort } from './room-port.ts';

/** Creates a real room and its media binding. */
export function createRtcBinding(): LiveKitBinding<RemoteTrack> {
  const rtcRoom = new Room();
  // The type system checks here that the real Room satisfies the port.
  const room: LiveKitRoomPort<RemoteTrack> = rtcRoom;
  return {
    room,
    readAudio(track, onFrame, onEnd) {
      const reader = new AudioStream(track).getReader();
      void (async () => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return onEnd();
            onFrame(value);
          }
        } catch (error) {
          onEnd(error);
        }
      })();
      return () => void reader.cancel().catch(() => undefined);
    },
    async openOutput(sample_rate_hz, queue_ms): Promise<AudioSourcePort> {
      const source = new AudioSource(sample_rate_hz, 1, queue_ms);
      const track = LocalAudioTrack.createAudioTrack('rspp-agent', source);
      const local = rtcRoom.localParticipant;
      if (local === undefined) throw new Error('livekit: not connected, cannot publish');
      await local.publishTrack(
        track,
        new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
      );
      return source;
    },
  };
}

/** Releases rtc-node's native client, which otherwise keeps the process alive; call once, last. */
export async function disposeRtc(): Promise<void> {
  await dispose();
}
