/**
 * Builders and waiting helpers for the bus conformance suite: contract-valid records for each
 * lane, a gate that holds a handler, and condition polling (never elapsed-time assertions).
 */
import type { ControlSignal, EventRecord } from '../../../contracts/index.ts';
import type { BusDiagnostic, BusEnvelope } from '../../../contracts/ports/bus.port.ts';

/** Identity of the session a case publishes to. */
export interface SessionRef {
  readonly tenant: string;
  readonly session: string;
}

const base = (session: string, seq: number) => ({
  schema_version: 'v1.0',
  session_id: session,
  pipeline_version: 'pipeline-v1',
  transport_sequence: null,
  runtime_sequence: seq,
  runtime_timestamp_ms: 1_000 + seq,
  wall_clock_timestamp_ms: 1_700_000_000_000 + seq,
});

/** A DataLane record `d<seq>` (a text token of a turn). */
export function dataRecord(
  ref: SessionRef,
  seq: number,
  extra: Partial<EventRecord> = {},
): EventRecord {
  return {
    ...base(ref.session, seq),
    event_scope: 'turn',
    turn_id: 'turn-1',
    authority_epoch: 3,
    event_id: `d${seq}`,
    idempotency_key: `${ref.session}/d${seq}`,
    lane: 'DataLane',
    payload_class: 'text_raw',
    ...extra,
  };
}

/** A TelemetryLane record `t<seq>`. */
export function telemetryRecord(ref: SessionRef, seq: number): EventRecord {
  return {
    ...base(ref.session, seq),
    event_scope: 'session',
    event_id: `t${seq}`,
    lane: 'TelemetryLane',
    payload_class: 'metadata',
  };
}

/** A ControlLane `cancel` signal `c<seq>` of turn-1 under authority epoch 3. */
export function controlSignal(
  ref: SessionRef,
  seq: number,
  extra: Partial<ControlSignal> = {},
): ControlSignal {
  return {
    ...base(ref.session, seq),
    event_scope: 'turn',
    turn_id: 'turn-1',
    authority_epoch: 3,
    event_id: `c${seq}`,
    idempotency_key: `${ref.session}/c${seq}`,
    lane: 'ControlLane',
    payload_class: 'metadata',
    signal: 'cancel',
    emitted_by: 'RK-06',
    scope: 'turn',
    ...extra,
  };
}

/** Wraps a record into an envelope for the session's tenant. */
export function envelopeOf(ref: SessionRef, record: EventRecord | ControlSignal): BusEnvelope {
  return { tenant_id: ref.tenant, record };
}

/** A latch a handler awaits so tests can pile envelopes up in the subscriber's queues. */
export interface Gate {
  readonly promise: Promise<void>;
  open(): void;
}

/** Creates a closed {@link Gate}. */
export function createGate(): Gate {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Polls a condition until it holds; fails with `what` after a generous timeout. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Lets pending microtasks and one macrotask run (no wall-clock wait). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Collects diagnostics of a bus for assertions. */
export function collect(
  register: (listener: (d: BusDiagnostic) => void) => () => void,
): BusDiagnostic[] {
  const seen: BusDiagnostic[] = [];
  register((diagnostic) => seen.push(diagnostic));
  return seen;
}

/** `event_id`s of the envelopes a handler saw. */
export function ids(envelopes: readonly BusEnvelope[]): string[] {
  return envelopes.map((envelope) => String(envelope.record.event_id));
}
