/**
 * Orphaned turns (ADR 0035): from a session's evidence, the turns that reached `turn_open` and
 * have no `close` (their placement died), and the ControlLane signals that end each one: its
 * recorded terminal again if the evidence holds one, else RK-24 `deauthorized_drain` and RK-03
 * `abort(authority_loss)` (lifecycle T8), then RK-03 `close`. Pure: no clock, no I/O.
 *
 * The signals are stamped at the orphan's own turn id and epoch, so the transport ends the turn
 * it knows. Their event ids take the owner `<turn id>-recovered` (the dead placement's ids use
 * `<turn id>`, so none is repeated) and depend only on the turn, never on who recovers it: two
 * parties racing to close one orphan publish the same ids, and JetStream's duplicate window and
 * the subscribers' idempotency keys keep one copy.
 */
import type { ControlSignal } from '../../contracts/index.ts';
import type { EvidenceDocument } from '../../contracts/internal.ts';
import { eventId, idempotencyKey } from '../identity/ids.ts';
import { nonNegativeInt } from '../identity/stamp.ts';

/** A turn of the evidence with `turn_open` and no `close`. */
export type OrphanTurn = {
  readonly session_id: string;
  readonly pipeline_version: string;
  readonly turn_id: string;
  /** The epoch the turn opened at (its placement's). */
  readonly authority_epoch: number;
  /** The recorded `turn_open`. */
  readonly opened: ControlSignal;
  /** The recorded `commit` or `abort`, if any: it is published again, never a second one. */
  readonly terminal: ControlSignal | undefined;
  /** A `deauthorized_drain` of the turn is recorded. */
  readonly drained: boolean;
  /** Highest `runtime_sequence` among the turn's records. */
  readonly last_sequence: number;
  /** Highest `runtime_timestamp_ms` among the turn's records. */
  readonly last_runtime_ms: number;
};

/** Suffix of the owner part of a recovery signal's event id (`evt/<session>/<turn>-recovered/<n>`). */
const RECOVERY_OWNER_SUFFIX = '-recovered';

/** Fixed ordinals of the recovery signals, so every recoverer stamps the same ids. */
const ORDINAL = { drain: 1, abort: 2, close: 3 } as const;

type Facts = {
  opened?: ControlSignal;
  terminal?: ControlSignal;
  drained: boolean;
  closed: boolean;
  last_sequence: number;
  last_runtime_ms: number;
};

/**
 * The orphaned turns among `documents` (one session's evidence, in stream order), oldest first;
 * with `belowEpoch`, only those opened at an older epoch (a taker's own turns are not orphans).
 */
export function findOrphanTurns(
  documents: readonly EvidenceDocument[],
  options: { readonly belowEpoch?: number } = {},
): OrphanTurn[] {
  const turns = new Map<string, Facts>();
  for (const document of documents) {
    if (!('signal' in document)) continue;
    const turn_id = document.turn_id;
    if (typeof turn_id !== 'string' || turn_id.length === 0) continue;
    let facts = turns.get(turn_id);
    if (facts === undefined) {
      facts = { drained: false, closed: false, last_sequence: 0, last_runtime_ms: 0 };
      turns.set(turn_id, facts);
    }
    facts.last_sequence = Math.max(facts.last_sequence, nonNegativeInt(document.runtime_sequence));
    facts.last_runtime_ms = Math.max(
      facts.last_runtime_ms,
      nonNegativeInt(document.runtime_timestamp_ms),
    );
    const name = document.signal;
    if (name === 'turn_open') facts.opened ??= document;
    else if (name === 'commit' || name === 'abort') facts.terminal ??= document;
    else if (name === 'deauthorized_drain') facts.drained = true;
    else if (name === 'close') facts.closed = true;
  }
  const orphans: OrphanTurn[] = [];
  for (const [turn_id, facts] of turns) {
    const opened = facts.opened;
    if (opened === undefined || facts.closed) continue;
    const { session_id, pipeline_version } = opened;
    // The runtime stamps both on every signal; a record without them cannot be answered.
    if (typeof session_id !== 'string' || typeof pipeline_version !== 'string') continue;
    const authority_epoch = nonNegativeInt(opened.authority_epoch);
    if (options.belowEpoch !== undefined && authority_epoch >= options.belowEpoch) continue;
    orphans.push({
      session_id,
      pipeline_version,
      turn_id,
      authority_epoch,
      opened,
      terminal: facts.terminal,
      drained: facts.drained,
      last_sequence: facts.last_sequence,
      last_runtime_ms: facts.last_runtime_ms,
    });
  }
  return orphans;
}

/**
 * The signals that end `orphan`, in publish order: its recorded terminal if any, else
 * `deauthorized_drain` (unless recorded) and `abort(authority_loss)`; then `close`. `wall_ms` is
 * the recoverer's wall-clock time; runtime time and sequence continue from the turn's records.
 */
export function recoverySignals(orphan: OrphanTurn, wall_ms: number): ControlSignal[] {
  const out: ControlSignal[] = [];
  if (orphan.terminal !== undefined) {
    out.push(orphan.terminal);
  } else {
    if (!orphan.drained) {
      out.push(
        stamp(orphan, wall_ms, ORDINAL.drain, {
          signal: 'deauthorized_drain',
          emitted_by: 'RK-24',
          reason: 'authority_revoked_in_turn',
        }),
      );
    }
    out.push(
      stamp(orphan, wall_ms, ORDINAL.abort, {
        signal: 'abort',
        emitted_by: 'RK-03',
        reason: 'authority_loss',
      }),
    );
  }
  out.push(stamp(orphan, wall_ms, ORDINAL.close, { signal: 'close', emitted_by: 'RK-03' }));
  return out;
}

type Fields = {
  readonly signal: 'deauthorized_drain' | 'abort' | 'close';
  readonly emitted_by: 'RK-03' | 'RK-24';
  readonly reason?: string;
};

function stamp(
  orphan: OrphanTurn,
  wall_ms: number,
  ordinal: number,
  fields: Fields,
): ControlSignal {
  const { session_id, turn_id, opened } = orphan;
  const event_id = eventId(session_id, `${turn_id}${RECOVERY_OWNER_SUFFIX}`, ordinal);
  const sequence = orphan.last_sequence + ordinal;
  const signal: ControlSignal = {
    schema_version: 'v1.0',
    event_scope: 'turn',
    session_id,
    pipeline_version: orphan.pipeline_version,
    event_id,
    idempotency_key: idempotencyKey(session_id, turn_id, event_id),
    causal_parent_id: String(opened.event_id),
    lane: 'ControlLane',
    transport_sequence: sequence,
    runtime_sequence: sequence,
    runtime_timestamp_ms: orphan.last_runtime_ms,
    wall_clock_timestamp_ms: nonNegativeInt(wall_ms),
    payload_class: 'metadata',
    authority_epoch: orphan.authority_epoch,
    turn_id,
    signal: fields.signal,
    emitted_by: fields.emitted_by,
  };
  if (fields.reason !== undefined) signal.reason = fields.reason;
  return signal;
}
