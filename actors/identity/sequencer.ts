/**
 * RK-21 sequencer: stamps the authoritative `runtime_sequence` per (session, lane), strictly
 * increasing, and the idempotency key, onto records before they reach the bus. Machines number
 * their own outputs from 1; this restamps them into one bus-wide order per lane (ADR 0004).
 * A record seen again (same session, lane and event id: a retry or a reconnect replay) gets the
 * sequence it got the first time, within a bounded window.
 */
import type { BusEnvelope, ControlSignal, EventRecord, Lane } from '../../contracts/index.ts';
import { idempotencyKey } from './ids.ts';

/** A record the sequencer stamps. */
type SequencedRecord = EventRecord | ControlSignal;

/** A machine output that carries a control signal (`control.signal`). */
export type SignalOutput = { readonly type: 'control.signal'; readonly signal: ControlSignal };

/** Options of {@link createSequencer}. */
export type SequencerOptions = {
  /** How many recent event ids keep their sequence for retries (default 4096, at least 1). */
  readonly retry_window?: number;
};

/** Stamps runtime sequences and idempotency keys; one per runtime process. */
export type Sequencer = {
  /** A copy of `record` with the next (or remembered) sequence of its session and lane. */
  stamp<TRecord extends SequencedRecord>(record: TRecord): TRecord;
  /** The control signals among machine outputs, in order, restamped and wrapped for the bus. */
  restamp(outputs: readonly { readonly type: string }[], tenant_id: string): BusEnvelope[];
  /** The last sequence stamped for a session and lane (0 before the first). */
  last(session_id: string, lane: Lane): number;
};

/** Default {@link SequencerOptions.retry_window}. */
const DEFAULT_RETRY_WINDOW = 4096;

/** Tells whether a machine output carries a control signal. */
export function isSignalOutput(output: { readonly type: string }): output is SignalOutput {
  return output.type === 'control.signal' && 'signal' in output;
}

/** Creates a sequencer whose sequences start at 1 for every (session, lane). */
export function createSequencer(options: SequencerOptions = {}): Sequencer {
  const window = Math.max(1, Math.floor(options.retry_window ?? DEFAULT_RETRY_WINDOW));
  const counters = new Map<string, number>();
  // Insertion-ordered: the oldest remembered event id is evicted first.
  const seen = new Map<string, number>();
  const laneKey = (session_id: string, lane: Lane): string => `${session_id}\u0000${lane}`;

  function next(session_id: string, lane: Lane, event_id: string): number {
    const key = `${laneKey(session_id, lane)}\u0000${event_id}`;
    const remembered = seen.get(key);
    if (remembered !== undefined) return remembered;
    const value = (counters.get(laneKey(session_id, lane)) ?? 0) + 1;
    counters.set(laneKey(session_id, lane), value);
    seen.set(key, value);
    if (seen.size > window) {
      const oldest = seen.keys().next();
      if (oldest.done !== true) seen.delete(oldest.value);
    }
    return value;
  }

  function stamp<TRecord extends SequencedRecord>(record: TRecord): TRecord {
    const session_id = String(record.session_id);
    const lane = record.lane as Lane;
    const event_id = String(record.event_id);
    const turn_id = typeof record.turn_id === 'string' ? record.turn_id : undefined;
    const key =
      typeof record.idempotency_key === 'string' && record.idempotency_key.length > 0
        ? record.idempotency_key
        : idempotencyKey(session_id, turn_id, event_id);
    return {
      ...record,
      runtime_sequence: next(session_id, lane, event_id),
      idempotency_key: key,
    };
  }

  return {
    stamp,
    restamp(outputs, tenant_id) {
      const envelopes: BusEnvelope[] = [];
      for (const output of outputs) {
        if (isSignalOutput(output)) envelopes.push({ tenant_id, record: stamp(output.signal) });
      }
      return envelopes;
    },
    last(session_id, lane) {
      return counters.get(laneKey(session_id, lane)) ?? 0;
    },
  };
}
