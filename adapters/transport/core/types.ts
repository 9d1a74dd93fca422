/**
 * What a local transport hands the runtime: transport events in the runtime's `feed` shape
 * (a contract record plus the words or the audio beside it), declared here because adapters
 * may not import actors/; the runtime's `TransportEvent` accepts them structurally.
 */
import type { ControlSignal, EventRecord } from '../../../contracts/index.ts';

/** The RK-23 connection signals a transport reports. */
export const CONNECTION_SIGNALS = [
  'connected',
  'reconnecting',
  'disconnected',
  'ended',
  'silence',
  'stall',
] as const;

/** One RK-23 connection signal. */
export type ConnectionSignalName = (typeof CONNECTION_SIGNALS)[number];

/** One PCM16 mono audio frame (the runtime's audio item). */
export type LocalAudioFrame = {
  readonly kind: 'audio';
  readonly pcm: Int16Array;
  readonly sample_rate_hz: number;
  readonly duration_ms: number;
};

/** One ingress event of a local transport, classified by the runtime (RK-22). */
export type LocalTransportEvent =
  | { readonly kind: 'speech_started'; readonly record: EventRecord }
  | { readonly kind: 'transcript_final'; readonly record: EventRecord; readonly text: string }
  | { readonly kind: 'audio_frame'; readonly record: EventRecord; readonly audio: LocalAudioFrame }
  | { readonly kind: 'connection'; readonly record: ControlSignal }
  | { readonly kind: 'cancel'; readonly record: ControlSignal };
