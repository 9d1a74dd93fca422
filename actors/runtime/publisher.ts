/**
 * The session's outbound path: RK-21 restamps every record (event id per owner, runtime
 * sequence per lane, idempotency key), the contract validator checks it, and it is handed to the
 * bus at once: the bus keeps each lane in call order (the NATS ControlLane pipelines its
 * JetStream publishes, ADR 0024), so no publish waits for another's acknowledgement.
 *
 * Per lane, what a backlog does:
 * - ControlLane is lossless: a signal is never dropped. A backlog past `capacity` marks the
 *   session saturated, and the session refuses input that would produce more signals until it
 *   drains (backpressure to the caller, not loss).
 * - DataLane is never dropped here either: past `capacity` pending records, the producer is
 *   asked to wait (`dataReady`), so the provider stream is read more slowly.
 * - TelemetryLane is best effort: past `capacity` a record is dropped before it is stamped, so
 *   no lane's `runtime_sequence` ever has a gap.
 * A record that fails validation is never published (an internal invariant breach, reported as a
 * diagnostic).
 */
import type {
  BusPayload,
  BusPort,
  ContractValidator,
  ControlSignal,
  EventRecord,
  Lane,
} from '../../contracts/index.ts';
import { eventId } from '../../machines/internal.ts';
import { createSequencer, type Sequencer } from '../identity/sequencer.ts';

/** Owners (turns, the session) whose event id ordinals are remembered. */
const MAX_OWNERS = 256;

/** Options of {@link SessionPublisher}. */
export type PublisherOptions = {
  readonly bus: BusPort;
  readonly tenant_id: string;
  readonly session_id: string;
  /** This placement of the session, when named: session-scoped event ids carry it. */
  readonly incarnation?: string;
  readonly pipeline_version: string;
  readonly validator: ContractValidator;
  /** Pending publishes per lane past which ControlLane saturates and DataLane pushes back. */
  readonly capacity: number;
  readonly onDiagnostic: (code: string, message: string) => void;
};

/** The outbound path of one session. */
export class SessionPublisher {
  private readonly options: PublisherOptions;
  private readonly sequencer: Sequencer = createSequencer();
  private readonly ordinals = new Map<string, number>();
  private readonly pending = { ControlLane: 0, DataLane: 0, TelemetryLane: 0 };
  private drained: (() => void)[] = [];
  private dataWaiters: (() => void)[] = [];
  /** Envelopes handed to the bus, by lane. */
  readonly published = { ControlLane: 0, DataLane: 0, TelemetryLane: 0 };
  /** TelemetryLane records dropped because the lane was backed up. */
  telemetryDropped = 0;

  /** Creates the publisher of one session. */
  constructor(options: PublisherOptions) {
    this.options = options;
  }

  /** True while the ControlLane backlog is at its capacity: input must wait. */
  get saturated(): boolean {
    return this.pending.ControlLane >= this.options.capacity;
  }

  /** Restamps a ControlLane signal and publishes it; never dropped. */
  signal(signal: ControlSignal): ControlSignal | null {
    const record = this.restamp(signal);
    return this.send(record, 'control_signal') ? record : null;
  }

  /** Restamps a DataLane record and publishes it with its payload and bytes; never dropped. */
  data(record: EventRecord, payload: BusPayload, binary?: Uint8Array): EventRecord | null {
    const stamped = this.restamp(record);
    return this.send(stamped, 'event_record', payload, binary) ? stamped : null;
  }

  /** Publishes a TelemetryLane record, or drops it (unstamped) when the lane is backed up. */
  telemetry(record: EventRecord, payload: BusPayload): EventRecord | null {
    if (this.pending.TelemetryLane >= this.options.capacity) {
      this.telemetryDropped += 1;
      return null;
    }
    const stamped = this.restamp(record);
    return this.send(stamped, 'event_record', payload) ? stamped : null;
  }

  /** Undefined while DataLane has room; else a promise that settles once it is below half. */
  dataReady(): Promise<void> | undefined {
    if (this.pending.DataLane < this.options.capacity) return undefined;
    return new Promise((resolve) => this.dataWaiters.push(resolve));
  }

  /** Resolves once every published envelope is in the bus's custody. */
  drain(): Promise<void> {
    if (this.total() === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private total(): number {
    return this.pending.ControlLane + this.pending.DataLane + this.pending.TelemetryLane;
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
    // Session-scoped ids name the placement too: a new placement starts its ordinals again.
    const { incarnation } = this.options;
    const sessionOwner = incarnation === undefined ? session_id : `${session_id}-${incarnation}`;
    const id = eventId(
      { session_id, pipeline_version, authority_epoch: 0, turn_id: owner ?? sessionOwner },
      ordinal,
    );
    // An empty key makes the sequencer derive it from the new event id (two copies, not three).
    return this.sequencer.stamp({ ...record, event_id: id, idempotency_key: '' });
  }

  private send(
    record: EventRecord | ControlSignal,
    artifact: 'control_signal' | 'event_record',
    payload?: BusPayload,
    binary?: Uint8Array,
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
    const lane: Lane = record.lane ?? 'ControlLane';
    this.published[lane] += 1;
    this.pending[lane] += 1;
    const envelope = {
      tenant_id: this.options.tenant_id,
      record,
      ...(payload === undefined ? {} : { payload }),
      ...(binary === undefined ? {} : { binary }),
    };
    let handed: Promise<void>;
    try {
      handed = this.options.bus.publish(envelope);
    } catch (error) {
      handed = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // One reaction per publish (a `.catch().finally()` pair costs four promises on a hot path).
    handed.then(
      () => this.settle(lane),
      (error: unknown) => {
        this.settle(lane);
        this.options.onDiagnostic(
          'publish_failed',
          error instanceof Error ? error.message : String(error),
        );
      },
    );
    return true;
  }

  private settle(lane: Lane): void {
    this.pending[lane] -= 1;
    if (
      lane === 'DataLane' &&
      this.dataWaiters.length > 0 &&
      this.pending.DataLane <= this.options.capacity / 2
    ) {
      const waiting = this.dataWaiters;
      this.dataWaiters = [];
      for (const wake of waiting) wake();
    }
    if (this.drained.length > 0 && this.total() === 0) {
      const waiting = this.drained;
      this.drained = [];
      for (const wake of waiting) wake();
    }
  }
}
