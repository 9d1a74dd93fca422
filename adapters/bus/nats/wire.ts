/**
 * The NATS message form of an envelope (ADR 0024). The message data is the envelope as UTF-8
 * JSON; when the envelope has a `binary` attachment, its raw bytes follow the JSON directly and
 * the header `Rspp-Binary-Length` gives their count, so the JSON is the first
 * `data.length - count` bytes. A message without that header is JSON only. The W3C trace context
 * travels in the `traceparent` header.
 */
import { Buffer } from 'node:buffer';
import { Match, headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import {
  BINARY_MAX_BYTES,
  copyBytes,
  decodeEnvelope,
  encodeEnvelope,
  type BusEnvelope,
  type CheckedEnvelope,
} from '../core/index.ts';

/** Header holding the byte count of the raw attachment at the end of the message data. */
export const BINARY_LENGTH_HEADER = 'Rspp-Binary-Length';

/** Header holding the publisher's W3C trace context. */
const TRACEPARENT_HEADER = 'traceparent';

/** A byte count as the encoder writes it: decimal, no sign, no leading zeros, at most 6 digits. */
const BYTE_COUNT = /^(?:0|[1-9][0-9]{0,5})$/;

// Fatal: a JSON part cut inside a multi-byte character means a wrong length, not text to repair.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** What to hand to `nc.publish` / `js.publish` for one envelope. */
export interface NatsWireMessage {
  /** JSON text, or JSON bytes followed by the raw attachment. */
  readonly data: string | Uint8Array;
  /** `traceparent` and `Rspp-Binary-Length` when they apply. */
  readonly headers: MsgHdrs | undefined;
}

/** Builds the message of a checked envelope; the attachment is copied into a buffer it owns. */
export function encodeNatsMessage(checked: CheckedEnvelope): NatsWireMessage {
  const { json, binary } = encodeEnvelope(checked);
  const { traceparent } = checked.envelope;
  let headers: MsgHdrs | undefined;
  if (traceparent !== undefined || binary !== undefined) {
    headers = natsHeaders();
    if (traceparent !== undefined) headers.set(TRACEPARENT_HEADER, traceparent);
    if (binary !== undefined) headers.set(BINARY_LENGTH_HEADER, String(binary.length));
  }
  if (binary === undefined) return { data: json, headers };
  // One allocation and one copy of the bytes; the client keeps a reference until it flushes,
  // so the publisher may reuse its own buffer as soon as publish() returns.
  const jsonLength = Buffer.byteLength(json, 'utf8');
  const data = new Uint8Array(jsonLength + binary.length);
  utf8Encoder.encodeInto(json, data.subarray(0, jsonLength));
  data.set(binary, jsonLength);
  return { data, headers };
}

/**
 * Reads an envelope from a NATS message; throws an Error naming the problem when the framing is
 * wrong (a repeated or malformed `Rspp-Binary-Length`, a count above the bound or the message
 * size) or the JSON part is not an envelope. The attachment is a copy the subscriber owns.
 */
export function decodeNatsMessage(data: Uint8Array, headers: MsgHdrs | undefined): BusEnvelope {
  // Header names are matched case-insensitively, so a respelled header is still validated.
  const counts = headers?.values(BINARY_LENGTH_HEADER, Match.IgnoreCase) ?? [];
  if (counts.length === 0) return decodeEnvelope(utf8Decoder.decode(data));
  if (counts.length > 1) {
    throw new Error(`${BINARY_LENGTH_HEADER}: expected one value, received ${counts.length}`);
  }
  const raw = counts[0] ?? '';
  if (!BYTE_COUNT.test(raw)) {
    throw new Error(
      `${BINARY_LENGTH_HEADER}: expected a byte count, received ${JSON.stringify(raw.slice(0, 16))}`,
    );
  }
  const length = Number(raw);
  const bound = Math.min(BINARY_MAX_BYTES, data.length);
  if (length > bound) {
    throw new Error(
      `${BINARY_LENGTH_HEADER}: expected at most ${bound} bytes (message ${data.length} bytes), received ${length}`,
    );
  }
  const split = data.length - length;
  return decodeEnvelope(
    utf8Decoder.decode(data.subarray(0, split)),
    copyBytes(data.subarray(split)),
  );
}
