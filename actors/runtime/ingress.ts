/**
 * RK-22 ingress classification: a transport event whose record passed the RK-05 gateway becomes
 * one session event. The record must belong to the session and match the declared kind
 * (connection changes and cancels are ControlLane signals; speech, transcripts and audio are
 * DataLane records); anything else is refused with a reason.
 */
import type { ControlSignal, EventRecord } from '../../contracts/index.ts';
import { renderValue } from '../../contracts/internal.ts';
import type { ConnectionSignal } from '../../machines/internal.ts';
import type { GraphItem } from '../nodes/types.ts';
import type { RuntimeRefusal, TransportEvent } from './types.ts';

type Time = { readonly at_ms: number; readonly wall_ms: number };

/** A classified ingress event, ready for the session. */
export type SessionInputEvent =
  | (Time & { readonly type: 'user.speech.started' })
  | (Time & {
      readonly type: 'user.transcript.final';
      readonly text: string;
      /** The ingress record's event id: which input a turn answers. */
      readonly input_id: string;
    })
  | { readonly type: 'audio.frame'; readonly audio: Extract<GraphItem, { kind: 'audio' }> }
  | (Time & { readonly type: 'connection.signal'; readonly signal: ConnectionSignal })
  | (Time & {
      readonly type: 'turn.cancel';
      readonly turn_id?: string;
      readonly authority_epoch?: number;
    });

const CONNECTION_SIGNALS: readonly string[] = [
  'connected',
  'reconnecting',
  'disconnected',
  'ended',
  'silence',
  'stall',
];

const mismatch = (message: string): RuntimeRefusal => ({
  code: 'classification_mismatch',
  message,
});

/** Lane and payload classes of the DataLane record each kind must come with. */
const DATA_KINDS: Partial<Record<TransportEvent['kind'], readonly string[]>> = {
  speech_started: ['metadata'],
  transcript_final: ['text_raw', 'PII', 'PHI'],
  audio_frame: ['audio_raw', 'PII', 'PHI'],
};

/** A DataLane kind's record: on DataLane, no signal, one of the kind's payload classes. */
function dataRecordMismatch(
  kind: TransportEvent['kind'],
  record: EventRecord | ControlSignal,
): RuntimeRefusal | null {
  const classes = DATA_KINDS[kind];
  if (classes === undefined) return null;
  if (record.lane !== 'DataLane' || typeof record.signal === 'string') {
    const got = typeof record.signal === 'string' ? `signal ${record.signal}` : String(record.lane);
    return mismatch(`${kind}: expected a DataLane record, received ${got}`);
  }
  if (!classes.includes(String(record.payload_class)))
    return mismatch(
      `${kind}: expected payload_class ${classes.join(' or ')}, received ${String(record.payload_class)}`,
    );
  return null;
}

/** The audio of an `audio_frame`: PCM16 samples with a positive rate and duration. */
function audioMismatch(audio: unknown): RuntimeRefusal | null {
  if (typeof audio !== 'object' || audio === null)
    return mismatch(`audio: expected an audio frame object, received ${renderValue(audio)}`);
  const a = audio as Record<string, unknown>;
  if (a['kind'] !== 'audio')
    return mismatch(`audio.kind: expected "audio", received ${renderValue(a['kind'])}`);
  if (!(a['pcm'] instanceof Int16Array))
    return mismatch(
      `audio.pcm: expected an Int16Array of PCM16 samples, received ${renderValue(a['pcm'])}`,
    );
  for (const field of ['sample_rate_hz', 'duration_ms'] as const) {
    const value = a[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      return mismatch(`audio.${field}: expected a positive number, received ${renderValue(value)}`);
  }
  return null;
}

/** Classifies one admitted record; never throws. */
export function classifyIngress(
  event: TransportEvent,
  record: EventRecord | ControlSignal,
  session_id: string,
  time: Time,
): SessionInputEvent | RuntimeRefusal {
  if (record.session_id !== session_id) {
    return { code: 'session_mismatch', message: `record session_id is not ${session_id}` };
  }
  const signal = typeof record.signal === 'string' ? record.signal : undefined;
  const wrongRecord = dataRecordMismatch(event.kind, record);
  if (wrongRecord !== null) return wrongRecord;
  switch (event.kind) {
    case 'connection':
      if (signal === undefined || !CONNECTION_SIGNALS.includes(signal)) {
        return mismatch(`connection: expected an RK-23 signal, received ${String(signal)}`);
      }
      return { type: 'connection.signal', signal: signal as ConnectionSignal, ...time };
    case 'cancel':
      if (signal !== 'cancel')
        return mismatch(`cancel: expected signal cancel, received ${String(signal)}`);
      return {
        type: 'turn.cancel',
        ...(typeof record.turn_id === 'string' ? { turn_id: record.turn_id } : {}),
        ...(typeof record.authority_epoch === 'number'
          ? { authority_epoch: record.authority_epoch }
          : {}),
        ...time,
      };
    case 'speech_started':
      return { type: 'user.speech.started', ...time };
    case 'transcript_final':
      if (typeof event.text !== 'string' || event.text.trim() === '') {
        return mismatch('transcript_final: expected non-empty text');
      }
      return {
        type: 'user.transcript.final',
        text: event.text,
        input_id: String(record.event_id),
        ...time,
      };
    case 'audio_frame': {
      const wrongAudio = audioMismatch(event.audio);
      if (wrongAudio !== null || event.audio === undefined)
        return wrongAudio ?? mismatch('audio_frame: expected audio');
      return { type: 'audio.frame', audio: event.audio };
    }
  }
}
