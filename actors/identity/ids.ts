/**
 * RK-21 identity and correlation: event ids, correlation ids and idempotency keys derived only
 * from (session, turn, ordinal/event id), so they stay stable across retry, reconnect and
 * failover. The spelling matches `machines/stamp.ts`, which stamps machine outputs the same way.
 */
import { hash } from 'node:crypto';

/** Hex SHA-256 of a UTF-8 string (one-shot `hash`: about a third of `createHash`'s cost). */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** Replaces `/` and whitespace with `_` so a part can be embedded in a slash-separated id. */
export function idPart(value: string): string {
  return value.replace(/[/\s]/g, '_');
}

/** A non-negative integer ordinal, zero-padded to at least six digits. */
export function formatOrdinal(ordinal: number): string {
  const n = Number.isSafeInteger(ordinal) && ordinal > 0 ? ordinal : 0;
  return String(n).padStart(6, '0');
}

/** The owner part of an id: the turn when known, else the session. */
function owner(session_id: string, turn_id: string | undefined): string {
  return idPart(turn_id === undefined || turn_id.length === 0 ? session_id : turn_id);
}

/** RK-21 event id: `evt/<session>/<turn or session>/<6-digit ordinal>`. */
export function eventId(session_id: string, turn_id: string | undefined, ordinal: number): string {
  return `evt/${idPart(session_id)}/${owner(session_id, turn_id)}/${formatOrdinal(ordinal)}`;
}

/** RK-21 correlation id: `corr/<session>/<turn or session>`. */
export function correlationId(session_id: string, turn_id?: string): string {
  return `corr/${idPart(session_id)}/${owner(session_id, turn_id)}`;
}

/**
 * RK-21 idempotency key: hex SHA-256 of `<session>/<turn or session>/<event_id>`, with the
 * session and turn parts sanitized by {@link idPart}; the event id is hashed as is.
 */
export function idempotencyKey(
  session_id: string,
  turn_id: string | undefined,
  event_id: string,
): string {
  return sha256Hex(`${idPart(session_id)}/${owner(session_id, turn_id)}/${event_id}`);
}

/** The full RK-21 identity of one event, plus the epoch it is correlated with. */
export type EventIdentity = {
  readonly event_id: string;
  readonly correlation_id: string;
  readonly idempotency_key: string;
  readonly authority_epoch: number;
};

/** Derives the RK-21 identity of the `ordinal`-th event of a session or turn at an epoch. */
export function identify(
  session_id: string,
  turn_id: string | undefined,
  ordinal: number,
  authority_epoch: number,
): EventIdentity {
  const event_id = eventId(session_id, turn_id, ordinal);
  return {
    event_id,
    correlation_id: correlationId(session_id, turn_id),
    idempotency_key: idempotencyKey(session_id, turn_id, event_id),
    authority_epoch,
  };
}
