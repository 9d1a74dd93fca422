/** Envelope checks, keys and the JSON wire form shared by both bus implementations. */
import {
  BusError,
  laneSubject,
  type BusDirection,
  type BusEnvelope,
  type BusEnvelopeRef,
  type BusKind,
  type Lane,
} from './contracts.ts';

const LANES: ReadonlySet<string> = new Set<Lane>(['ControlLane', 'DataLane', 'TelemetryLane']);

/** Most bytes of an envelope's `binary` attachment: 64 KiB, about 2 s of 16 kHz PCM16 mono. */
export const BINARY_MAX_BYTES = 64 * 1024;

/** An envelope checked by {@link checkEnvelope}, with its routing facts resolved. */
export interface CheckedEnvelope {
  /** The envelope as published. */
  readonly envelope: BusEnvelope;
  /** Lane subject it travels on. */
  readonly subject: string;
  /** Identity used in diagnostics. */
  readonly ref: BusEnvelopeRef;
  /** Idempotency key: `idempotency_key`, or `event_id` when the record has none. */
  readonly key: string;
  /** Which way it travels (`egress` when the envelope does not say). */
  readonly direction: BusDirection;
}

/**
 * Checks what the bus itself relies on (lane, session, event id, sequence) and resolves the
 * subject; schema validation of the record is the publisher's job. Throws SubjectTokenError
 * for bad tenant/session ids and BusError('invalid_envelope') otherwise.
 */
export function checkEnvelope(envelope: BusEnvelope, provider: BusKind): CheckedEnvelope {
  const invalid = (why: string): BusError =>
    new BusError('invalid_envelope', `invalid envelope: ${why}`, { provider });
  const record: unknown = (envelope as { record?: unknown }).record;
  if (typeof record !== 'object' || record === null) throw invalid('record must be an object');
  const { lane, session_id, event_id, runtime_sequence, idempotency_key } = envelope.record;
  if (typeof lane !== 'string' || !LANES.has(lane)) {
    throw invalid(`record.lane must be one of ${[...LANES].join(', ')}`);
  }
  const direction = checkDirection(envelope.direction ?? 'egress', 'direction', provider);
  // laneSubject validates both ids at runtime; the casts only restate what it checked.
  const subject = laneSubject(envelope.tenant_id, session_id as string, lane, direction);
  if (typeof event_id !== 'string' || event_id === '') {
    throw invalid('record.event_id must be a non-empty string');
  }
  if (
    typeof runtime_sequence !== 'number' ||
    !Number.isInteger(runtime_sequence) ||
    runtime_sequence < 0
  ) {
    throw invalid('record.runtime_sequence must be an integer >= 0');
  }
  checkBinary(envelope, lane, provider);
  const key =
    typeof idempotency_key === 'string' && idempotency_key !== '' ? idempotency_key : event_id;
  const ref: BusEnvelopeRef = {
    tenant_id: envelope.tenant_id,
    session_id: session_id as string,
    lane,
    event_id,
    runtime_sequence,
  };
  return { envelope, subject, ref, key, direction };
}

/**
 * Checks the optional `binary` attachment: a Uint8Array of at most {@link BINARY_MAX_BYTES}
 * bytes, and never on ControlLane (a control signal is a closed record, and its JetStream path
 * stores and retries it, which bytes must not burden). Throws BusError('invalid_envelope')
 * naming the field, the expected and the received value.
 */
function checkBinary(envelope: BusEnvelope, lane: Lane, provider: BusKind): void {
  const binary: unknown = (envelope as { binary?: unknown }).binary;
  if (binary === undefined) return;
  const invalid = (expected: string, received: string): BusError =>
    new BusError('invalid_envelope', `invalid binary: expected ${expected}, received ${received}`, {
      provider,
    });
  const received = binary instanceof Uint8Array ? `${binary.length} bytes` : typeName(binary);
  if (lane === 'ControlLane') throw invalid('none on ControlLane', received);
  if (!(binary instanceof Uint8Array)) {
    throw invalid(`a Uint8Array of at most ${BINARY_MAX_BYTES} bytes`, received);
  }
  if (binary.length > BINARY_MAX_BYTES) {
    throw invalid(`at most ${BINARY_MAX_BYTES} bytes`, `${binary.length} bytes`);
  }
}

/** Names the type of a wrong value without echoing its content (it may be user audio). */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'object';
}

/** Wire form of a checked envelope: the envelope without `binary` as JSON, and the bytes apart. */
export interface EnvelopeWire {
  /** The envelope as JSON text, `binary` left out. */
  readonly json: string;
  /** The publisher's attachment (not copied here: each transport copies it where it must). */
  readonly binary: Uint8Array | undefined;
}

/**
 * Wire form: the envelope as JSON, with the binary attachment kept apart as bytes (JSON would
 * turn it into an object of numbers). Both buses go through it, so a subscriber never shares an
 * object with the publisher and a payload that JSON cannot carry fails the same way on both.
 * Takes a {@link CheckedEnvelope}, so `binary` has passed {@link checkEnvelope}'s bounds.
 */
export function encodeEnvelope(checked: CheckedEnvelope): EnvelopeWire {
  const { binary, ...rest } = checked.envelope;
  return { json: JSON.stringify(rest), binary };
}

/**
 * Parses the JSON part of the wire form and attaches `binary` (which the caller must own: pass
 * a copy); throws when it is not an object with a tenant and a record, or when the JSON itself
 * claims a `binary` field (bytes travel only beside the JSON).
 */
export function decodeEnvelope(text: string, binary?: Uint8Array): BusEnvelope {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error('envelope is not an object');
  const candidate = value as { tenant_id?: unknown; record?: unknown; binary?: unknown };
  if (typeof candidate.tenant_id !== 'string') throw new Error('envelope.tenant_id is missing');
  if (typeof candidate.record !== 'object' || candidate.record === null) {
    throw new Error('envelope.record is missing');
  }
  if ('binary' in candidate) throw new Error('envelope.binary must travel as bytes, not in JSON');
  // The parsed object is new and ours, so attaching the bytes to it costs no further copy.
  if (binary !== undefined) candidate.binary = binary;
  return value as BusEnvelope;
}

/** A private copy of bytes as a plain Uint8Array (a Buffer's `slice` would share memory). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

/**
 * Checks a direction read from an envelope or subscribe options (undefined passes through);
 * throws BusError('invalid_envelope') naming the field, the expected and the received value.
 */
export function checkDirection<TValue extends BusDirection | undefined>(
  value: TValue,
  field: string,
  provider: BusKind,
): TValue {
  const received: unknown = value;
  if (received === undefined || received === 'ingress' || received === 'egress') return value;
  throw new BusError(
    'invalid_envelope',
    `invalid ${field}: expected ingress or egress, received ${JSON.stringify(received) ?? typeof received}`,
    { provider },
  );
}
