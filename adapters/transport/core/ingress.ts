/**
 * Builds the ingress events of one local transport session: contract records numbered in order
 * (event id and transport sequence), stamped with the transport's time and the authority epoch
 * it currently holds, classified as the runtime expects them (RK-22): speech activity as DataLane
 * `metadata`, words as `text_raw`, audio as `audio_raw` with its media time, connection signals
 * and cancels on the ControlLane.
 */
import type { ControlSignal, EventRecord } from '../../../contracts/index.ts';
import type { ConnectionSignalName, LocalAudioFrame, LocalTransportEvent } from './types.ts';

/** Identity of the session a transport feeds. */
export type IngressIdentity = {
  readonly session_id: string;
  /** Names the transport in event ids (`in/<source>/<session>/<n>`). */
  readonly source: string;
  readonly pipeline_version?: string;
  readonly authority_epoch?: number;
  /** Wall-clock ms at transport time 0 (default a fixed offset, so runs repeat exactly). */
  readonly wall_offset_ms?: number;
  /** Spells the event id of the `n`th record of `kind` (default `in/<source>/<session>/<n>`). */
  readonly event_id?: (n: number, kind: string) => string;
};

/** Stamps the ingress events of one session; `at_ms` is the transport's current time. */
export type IngressStamper = {
  speechStarted(at_ms: number): LocalTransportEvent;
  transcript(at_ms: number, text: string): LocalTransportEvent;
  /** `pts_ms` is the frame's position in the input media. */
  audio(at_ms: number, pts_ms: number, audio: LocalAudioFrame): LocalTransportEvent;
  connection(at_ms: number, signal: ConnectionSignalName): LocalTransportEvent;
  cancel(at_ms: number, turn_id?: string): LocalTransportEvent;
  /** Moves to another authority epoch (a new placement); later records carry it. */
  setEpoch(authority_epoch: number): void;
};

/** Creates the stamper of one transport session. */
export function createIngressStamper(identity: IngressIdentity): IngressStamper {
  let n = 0;
  let epoch = identity.authority_epoch ?? 1;
  const wallOffset = identity.wall_offset_ms ?? 1_700_000_000_000;
  const base = (at_ms: number, kind: string) => {
    n += 1;
    const at = Math.max(0, Math.round(at_ms));
    return {
      schema_version: 'v1.0',
      event_scope: 'session' as const,
      session_id: identity.session_id,
      pipeline_version: identity.pipeline_version ?? 'pipeline-v1',
      event_id:
        identity.event_id?.(n, kind) ??
        `in/${identity.source}/${identity.session_id}/${String(n).padStart(6, '0')}`,
      transport_sequence: n,
      runtime_sequence: n,
      runtime_timestamp_ms: at,
      wall_clock_timestamp_ms: wallOffset + at,
      authority_epoch: epoch,
    };
  };
  const data = (at_ms: number, payload_class: 'metadata' | 'text_raw'): EventRecord => ({
    ...base(at_ms, payload_class === 'metadata' ? 'speech_started' : 'transcript_final'),
    lane: 'DataLane',
    payload_class,
  });
  const control = (
    at_ms: number,
    signal: ControlSignal['signal'],
    emitted_by: ControlSignal['emitted_by'],
    turn_id?: string,
  ): ControlSignal => ({
    ...base(at_ms, signal),
    ...(turn_id === undefined ? {} : { event_scope: 'turn' as const, turn_id }),
    lane: 'ControlLane',
    payload_class: 'metadata',
    signal,
    emitted_by,
    // A cancel names what it cancels: the turn it gives, else the session's live turn.
    ...(signal === 'cancel' ? { scope: turn_id === undefined ? 'session' : 'turn' } : {}),
  });
  return {
    speechStarted: (at_ms) => ({ kind: 'speech_started', record: data(at_ms, 'metadata') }),
    transcript: (at_ms, text) => ({
      kind: 'transcript_final',
      record: data(at_ms, 'text_raw'),
      text,
    }),
    audio: (at_ms, pts_ms, audio) => ({
      kind: 'audio_frame',
      record: {
        ...base(at_ms, 'audio_frame'),
        lane: 'DataLane',
        payload_class: 'audio_raw',
        media_time: { pts_ms: Math.max(0, Math.round(pts_ms)) },
      },
      audio,
    }),
    connection: (at_ms, signal) => ({
      kind: 'connection',
      record: control(at_ms, signal, 'RK-23'),
    }),
    cancel: (at_ms, turn_id) => ({
      kind: 'cancel',
      record: control(at_ms, 'cancel', 'RK-16', turn_id),
    }),
    setEpoch(authority_epoch) {
      epoch = authority_epoch;
    },
  };
}
