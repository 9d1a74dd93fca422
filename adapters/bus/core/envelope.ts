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
 * Wire form: the whole envelope as JSON. Both buses go through it, so a subscriber never shares
 * an object with the publisher and a payload that JSON cannot carry fails the same way on both.
 */
export function encodeEnvelope(envelope: BusEnvelope): string {
  return JSON.stringify(envelope);
}

/** Parses the wire form; throws when it is not an object with a tenant and a record. */
export function decodeEnvelope(text: string): BusEnvelope {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error('envelope is not an object');
  const candidate = value as { tenant_id?: unknown; record?: unknown };
  if (typeof candidate.tenant_id !== 'string') throw new Error('envelope.tenant_id is missing');
  if (typeof candidate.record !== 'object' || candidate.record === null) {
    throw new Error('envelope.record is missing');
  }
  return value as BusEnvelope;
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
