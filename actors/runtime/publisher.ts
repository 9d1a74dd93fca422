/**
 * The session's outbound path: RK-21 restamps every record (event id per owner, runtime
 * sequence per lane, idempotency key), the contract validator checks it, and a bounded outbox
 * hands it to the bus in order per lane, one publish at a time per lane. Lanes do not wait for
 * each other: the bus orders per lane only (ControlLane even preempts), and a DataLane chunk
 * waiting for a JetStream ack of a ControlLane signal would add that ack to every chunk's
 * latency. A record that fails validation is never published (an internal invariant breach,
 * reported as a diagnostic).
 */
import type {
  BusEnvelope,
  BusPayload,
  BusPort,
  ContractValidator,
  ControlSignal,
  EventRecord,
  Lane,
} from '../../contracts/index.ts';
import { eventId } from '../../machines/index.ts';
import { createSequencer, type Sequencer } from '../identity/sequencer.ts';

/** Owners (turns, the session) whose event id ordinals are remembered. */
const MAX_OWNERS = 256;

/** Options of {@link SessionPublisher}. */
export type PublisherOptions = {
  readonly bus: BusPort;
  readonly tenant_id: string;
  readonly session_id: string;
  readonly pipeline_version: string;
  readonly validator: ContractValidator;
  readonly capacity: number;
  readonly onDiagnostic: (code: string, message: string) => void;
};

/** The outbound path of one session. */
export class SessionPublisher {
  private readonly options: PublisherOptions;
  private readonly sequencer: Sequencer = createSequencer();
  private readonly ordinals = new Map<string, number>();
  /** The last publish of each lane; the next one of that lane waits for it. */
  private readonly chains = new Map<Lane, Promise<void>>();
  private readonly lanePending = { ControlLane: 0, DataLane: 0, TelemetryLane: 0 };
  private pending = 0;
  /** Envelopes handed to the bus, by lane. */
  readonly published = { ControlLane: 0, DataLane: 0, TelemetryLane: 0 };

  /** Creates the publisher of one session. */
  constructor(options: PublisherOptions) {
    this.options = options;
  }

  /** Restamps a ControlLane signal and publishes it; returns the record as published. */
  signal(signal: ControlSignal): ControlSignal | null {
    const record = this.restamp(signal);
    return this.send(record, 'control_signal') ? record : null;
  }

  /** Restamps a DataLane/TelemetryLane record and publishes it with its payload. */
  record(record: EventRecord, payload?: BusPayload): EventRecord | null {
    const stamped = this.restamp(record);
    return this.send(stamped, 'event_record', payload) ? stamped : null;
  }

  /** Resolves once every queued envelope was handed to the bus. */
  async drain(): Promise<void> {
    while (this.pending > 0) await Promise.all(this.chains.values());
  }

  private restamp<TRecord extends EventRecord | ControlSignal>(record: TRecord): TRecord {
    const { session_id, pipeline_version } = this.options;
    const owner = typeof record.turn_id === 'string' ? record.turn_id : undefined;
    const key = owner ?? session_id;
    const ordinal = (this.ordinals.get(key) ?? 0) + 1;
    this.ordinals.delete(key);
    this.ordinals.set(key, ordinal);
    // Bounded: the least recently stamped owner is forgotten first (a long-closed turn).
    if (this.ordinals.size > MAX_OWNERS)
      this.ordinals.delete(this.ordinals.keys().next().value ?? key);
    const id = eventId(
      { session_id, pipeline_version, authority_epoch: 0, turn_id: owner },
      ordinal,
    );
    // An empty key makes the sequencer derive it from the new event id (two copies, not three).
    return this.sequencer.stamp({ ...record, event_id: id, idempotency_key: '' });
  }

  private send(
    record: EventRecord | ControlSignal,
    artifact: 'control_signal' | 'event_record',
    payload?: BusPayload,
  ): boolean {
    const verdict = this.options.validator.validate(artifact, record);
    if (!verdict.valid) {
      const first = verdict.issues[0];
      this.options.onDiagnostic(
        'invalid_output',
        `${artifact} ${String(record.event_id)}: ${first === undefined ? 'invalid' : first.message}`,
      );
      return false;
    }
    if (this.pending >= this.options.capacity) {
      this.options.onDiagnostic(
        'outbox_full',
        `outbox full: ${String(record.event_id)} not published`,
      );
      return false;
    }
    const lane = record.lane ?? 'ControlLane';
    this.published[lane] += 1;
    this.pending += 1;
    this.lanePending[lane] += 1;
    const envelope = {
      tenant_id: this.options.tenant_id,
      record,
      ...(payload === undefined ? {} : { payload }),
    };
    // Idle lane: hand it to the bus now. Otherwise queue behind the lane's last publish; a
    // publish queued without need would also wait behind every microtask the graph queued.
    const tail = this.chains.get(lane);
    const published =
      tail === undefined || this.lanePending[lane] === 1
        ? this.publishNow(envelope)
        : tail.then(() => this.publishNow(envelope));
    // One reaction per publish (a `.catch().finally()` pair costs four promises on a hot path).
    const settled = () => {
      this.pending -= 1;
      this.lanePending[lane] -= 1;
    };
    this.chains.set(
      lane,
      published.then(settled, (error: unknown) => {
        settled();
        this.options.onDiagnostic(
          'publish_failed',
          error instanceof Error ? error.message : String(error),
        );
      }),
    );
    return true;
  }

  /** Calls the bus; a synchronous throw becomes a rejection so it is reported like the rest. */
  private publishNow(envelope: BusEnvelope): Promise<void> {
    try {
      return this.options.bus.publish(envelope);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
