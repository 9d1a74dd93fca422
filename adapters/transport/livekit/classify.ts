/**
 * The LiveKit side of RK-22 and RK-23 as data: how a data packet is classified (explicit valid
 * class kept, the telemetry topic as TelemetryLane `metadata`, else the DataLane default, with
 * `text_raw` for a packet the default cannot describe; ControlLane ingress refused) and which
 * RK-23 signal a room disconnect is.
 */
import { DisconnectReason } from '@livekit/rtc-node';
import type { DataClass } from './config.ts';

/** Topics of the data packets the transport understands. */
export const TOPICS = {
  telemetry: 'rspp.telemetry',
  control: 'rspp.control',
  cancel: 'rspp.cancel',
} as const;

const PAYLOAD_CLASSES = ['PII', 'PHI', 'audio_raw', 'text_raw', 'derived_summary', 'metadata'];

/** How one data packet enters the runtime, or why it does not. */
export type DataClassification =
  | {
      readonly accepted: true;
      readonly lane: 'DataLane' | 'TelemetryLane';
      readonly payload_class: string;
      /** The packet's words (UTF-8 text, or a JSON body's `text`). */
      readonly text: string;
    }
  | { readonly accepted: true; readonly lane: 'cancel' }
  | {
      readonly accepted: false;
      readonly reason: 'control_lane_ingress_rejected' | 'invalid_payload';
    };

/** Classifies a data packet by topic and body (RK-22). */
export function classifyData(
  payload: Uint8Array,
  topic: string | undefined,
  default_class: DataClass,
): DataClassification {
  if (topic === TOPICS.control) return { accepted: false, reason: 'control_lane_ingress_rejected' };
  if (topic === TOPICS.cancel) return { accepted: true, lane: 'cancel' };
  let body: string;
  try {
    body = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    return { accepted: false, reason: 'invalid_payload' };
  }
  const parsed = parseBody(body);
  if (parsed.lane === 'ControlLane')
    return { accepted: false, reason: 'control_lane_ingress_rejected' };
  const explicit =
    parsed.payload_class !== undefined && PAYLOAD_CLASSES.includes(parsed.payload_class)
      ? parsed.payload_class
      : undefined;
  if (topic === TOPICS.telemetry || parsed.lane === 'TelemetryLane')
    return {
      accepted: true,
      lane: 'TelemetryLane',
      payload_class: explicit ?? 'metadata',
      text: parsed.text,
    };
  // A data packet is never raw audio: an `audio_raw` default falls back to `text_raw`.
  const fallback = default_class === 'audio_raw' ? 'text_raw' : default_class;
  return {
    accepted: true,
    lane: 'DataLane',
    payload_class: explicit ?? fallback,
    text: parsed.text,
  };
}

/** A JSON object body's fields, or the whole body as text. */
function parseBody(body: string): { text: string; payload_class?: string; lane?: string } {
  if (!body.trimStart().startsWith('{')) return { text: body };
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { text: body };
    const field = (name: string) => {
      const v = (value as Record<string, unknown>)[name];
      return typeof v === 'string' ? v : undefined;
    };
    const payload_class = field('payload_class');
    const lane = field('lane');
    return {
      text: field('text') ?? '',
      ...(payload_class === undefined ? {} : { payload_class }),
      ...(lane === undefined ? {} : { lane }),
    };
  } catch {
    return { text: body };
  }
}

/** Reasons after which the agent's place in the call is gone for good, or the call never was. */
const CALL_OVER: ReadonlySet<DisconnectReason> = new Set([
  DisconnectReason.CLIENT_INITIATED,
  DisconnectReason.ROOM_DELETED,
  DisconnectReason.ROOM_CLOSED,
  DisconnectReason.PARTICIPANT_REMOVED,
  DisconnectReason.USER_REJECTED,
  DisconnectReason.USER_UNAVAILABLE,
]);

/** `ended` when the call is over (see `CALL_OVER`), else `disconnected`: the link broke. */
export function disconnectSignal(reason: DisconnectReason): 'ended' | 'disconnected' {
  return CALL_OVER.has(reason) ? 'ended' : 'disconnected';
}
