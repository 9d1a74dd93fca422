/**
 * RK-22 ingress idempotency for a session fed directly (the NATS inbox gives the same to
 * workers): a record is taken once. A repeated event id within the last {@link REMEMBERED}
 * records, or a `transport_sequence` at or below the last one taken on the same lane (when the
 * transport numbers its records: 0 means unnumbered), is a duplicate.
 */
import type { ControlSignal, EventRecord } from '../../contracts/index.ts';
import type { RuntimeRefusal } from './types.ts';

/** Event ids remembered per session (a bounded window, oldest forgotten first). */
const REMEMBERED = 1024;

/** A record's transport sequence; 0 when the transport does not number its records. */
function sequenceOf(record: EventRecord | ControlSignal): number {
  const sequence: unknown = record.transport_sequence;
  return typeof sequence === 'number' && Number.isSafeInteger(sequence) ? sequence : 0;
}

/** The ingress order of one session. */
export class IngressOrder {
  private readonly ids = new Set<string>();
  private readonly lastSequence = new Map<string, number>();

  /** Null when the record is new; else why it is a duplicate. Remembers nothing. */
  check(record: EventRecord | ControlSignal): RuntimeRefusal | null {
    const id = String(record.event_id);
    if (this.ids.has(id)) return { code: 'duplicate', message: `event_id ${id}: already taken` };
    const sequence = sequenceOf(record);
    const last = this.lastSequence.get(String(record.lane)) ?? 0;
    if (sequence > 0 && sequence <= last) {
      return {
        code: 'duplicate',
        message: `transport_sequence: expected more than ${String(last)} on ${String(record.lane)}, received ${String(sequence)}`,
      };
    }
    return null;
  }

  /** Remembers a record that was taken. */
  taken(record: EventRecord | ControlSignal): void {
    this.ids.add(String(record.event_id));
    if (this.ids.size > REMEMBERED) this.ids.delete(this.ids.values().next().value ?? '');
    const sequence = sequenceOf(record);
    if (sequence > 0) this.lastSequence.set(String(record.lane), sequence);
  }
}
