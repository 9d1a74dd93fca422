/**
 * The bus port: how actors exchange event records over the three lanes. Two adapters implement
 * it with the same observable behaviour (embedded, nats); the shared conformance suite in
 * test/conformance/bus is the executable definition of that behaviour.
 */
import type { ControlSignal, EventRecord, Lane } from '../generated/types.ts';

/** Which implementation backs a bus. */
export type BusKind = 'embedded' | 'nats';

/**
 * Which way an envelope travels: `ingress` from the transport to the runtime, `egress` from the
 * runtime to the transport. Each way has its own subjects, so a side subscribes only to what it
 * consumes (never to its own echo) and permissions can allow a transport to publish ingress only.
 */
export type BusDirection = 'ingress' | 'egress';

/** A JSON value: the only payload shape both implementations carry identically. */
export type BusPayload =
  null | boolean | number | string | readonly BusPayload[] | { readonly [key: string]: BusPayload };

/**
 * What travels on the bus: a contract record (its `lane`, `session_id`, sequencing, idempotency
 * and authority markers travel unchanged), the tenant that scopes the subject, an optional
 * JSON payload (records are closed objects, so frame or token contents ride beside them) and,
 * on DataLane and TelemetryLane, optional raw bytes the payload describes (e.g. an audio frame).
 */
export interface BusEnvelope {
  /** Tenant id; the subject token that scopes permissions. */
  readonly tenant_id: string;
  /** The event record or control signal; `record.lane` picks the lane subject. */
  readonly record: EventRecord | ControlSignal;
  /** Content that the closed record schema has no field for (text, tokens, encoded audio). */
  readonly payload?: BusPayload;
  /**
   * Raw bytes beside the payload, e.g. PCM16LE audio; the payload describes them (encoding,
   * sample rate, channels, duration). At most 64 KiB; never on ControlLane (refused with
   * `invalid_envelope`). They travel as bytes, never as base64 or JSON (ADR 0024), and every
   * subscriber receives its own copy: the publisher may reuse its buffer once `publish` returns.
   */
  readonly binary?: Uint8Array;
  /** W3C trace context of the publisher, carried as a NATS header on the wire. */
  readonly traceparent?: string;
  /** Which way it travels; absent means `egress` (runtime output, the common case). */
  readonly direction?: BusDirection;
}

/** Receives envelopes of one session in priority order; the next delivery waits for a returned promise. */
export type BusHandler = (envelope: BusEnvelope) => void | Promise<void>;

/** What happens when a lane's inbound queue is full: DataLane and TelemetryLane shed, ControlLane never does. */
type BusOverflowPolicy = 'drop_oldest' | 'drop_newest' | 'reject';

/** Declared bounds of one lane of one subscription. */
interface BusLaneLimits {
  /** Most envelopes queued for the handler at once. */
  readonly capacity: number;
  /** What a full queue does with one more envelope. */
  readonly overflow: BusOverflowPolicy;
  /** How many recently applied idempotency keys are remembered to skip redeliveries. */
  readonly dedupeWindow: number;
}

/** Bounds of the three inbound queues of a subscription; ControlLane always rejects, never drops. */
export interface BusLimits {
  /** ControlLane: a full queue is a hard error (diagnostic), never a silent drop. */
  readonly ControlLane: BusLaneLimits & { readonly overflow: 'reject' };
  /** DataLane: sheds by policy; every drop is counted and reported. */
  readonly DataLane: BusLaneLimits & { readonly overflow: 'drop_oldest' | 'drop_newest' };
  /** TelemetryLane: best effort, delivered only when nothing else waits. */
  readonly TelemetryLane: BusLaneLimits & { readonly overflow: 'drop_oldest' | 'drop_newest' };
}

/** Default bounds; DataLane holds about 5 s of 20 ms audio frames per session. */
export const DEFAULT_BUS_LIMITS: BusLimits = {
  ControlLane: { capacity: 256, overflow: 'reject', dedupeWindow: 4096 },
  DataLane: { capacity: 256, overflow: 'drop_oldest', dedupeWindow: 1024 },
  TelemetryLane: { capacity: 128, overflow: 'drop_newest', dedupeWindow: 256 },
};

/** Partial per-lane overrides of {@link DEFAULT_BUS_LIMITS}. */
export type BusLimitsOverride = {
  readonly [L in Lane]?: Partial<BusLimits[L]>;
};

/** Options of {@link BusPort.subscribe}. */
export interface BusSubscribeOptions {
  /** Overrides of the inbound queue bounds of this subscription. */
  readonly limits?: BusLimitsOverride;
  /** Only envelopes travelling this way (a worker takes `ingress`, a transport `egress`); default both. */
  readonly direction?: BusDirection;
}

/** Counters of one lane of one subscription. */
export interface BusLaneStats {
  /** Envelopes waiting for the handler now. */
  readonly queued: number;
  /** Envelopes handed to the handler. */
  readonly delivered: number;
  /** Envelopes shed by the overflow policy (never counts ControlLane). */
  readonly dropped: number;
  /** Redeliveries skipped because their idempotency key was already applied or queued. */
  readonly duplicates: number;
  /** ControlLane envelopes refused because the queue was full (reported, never silently lost). */
  readonly rejected: number;
}

/** Counters of every lane of a subscription. */
export type BusSubscriptionStats = { readonly [L in Lane]: BusLaneStats };

/** A live subscription to the three lanes of one session. */
export interface BusSubscription {
  /** Tenant the subscription listens to. */
  readonly tenant_id: string;
  /** Session the subscription listens to. */
  readonly session_id: string;
  /** Current queue depths and counters. */
  stats(): BusSubscriptionStats;
  /** Stops receiving, delivers what is already queued, then closes. */
  drain(): Promise<void>;
  /** Stops now: queued envelopes are discarded and no handler call starts after it resolves. */
  close(): Promise<void>;
}

/** Connection states, named like the RK-23 connection signals they map to. */
export type BusConnectionState = 'connected' | 'reconnecting' | 'disconnected';

/** Why the connection state changed. */
export type BusConnectionReason =
  | 'connected'
  | 'connection_lost'
  | 'reconnect_attempt'
  | 'reconnected'
  | 'stale_connection'
  | 'closed';

/** How bad a diagnostic is: `error` means an invariant needs the runtime's attention. */
type BusSeverity = 'info' | 'warning' | 'error';

/** Where an envelope was shed: before leaving the publisher or in a subscriber's inbound queue. */
type BusDropSide = 'publish' | 'deliver';

/** Identity of the envelope a diagnostic is about. */
export interface BusEnvelopeRef {
  /** Tenant of the envelope. */
  readonly tenant_id: string;
  /** Session of the envelope. */
  readonly session_id: string;
  /** Lane of the envelope. */
  readonly lane: Lane;
  /** `event_id` of the record. */
  readonly event_id: string;
  /** `runtime_sequence` of the record (for drop_notice `seq_range`). */
  readonly runtime_sequence: number;
}

/** Something the bus observed that the runtime may turn into RK-23 signals or drop_notice. */
export type BusDiagnostic =
  | {
      readonly kind: 'connection';
      readonly severity: BusSeverity;
      readonly state: BusConnectionState;
      readonly reason: BusConnectionReason;
      readonly server?: string;
    }
  | {
      readonly kind: 'dropped';
      readonly severity: 'warning';
      readonly side: BusDropSide;
      readonly reason: 'queue_full' | 'disconnected';
      readonly envelope: BusEnvelopeRef;
      /** Drops of this lane so far on that side (subscription or bus). */
      readonly dropped_total: number;
    }
  | {
      readonly kind: 'control_queue_full';
      readonly severity: 'error';
      readonly envelope: BusEnvelopeRef;
      readonly capacity: number;
    }
  | {
      readonly kind: 'control_publish_retry';
      readonly severity: 'warning';
      readonly envelope: BusEnvelopeRef;
      readonly attempt: number;
      readonly reason: string;
    }
  | {
      readonly kind: 'control_publish_failed';
      readonly severity: 'error';
      readonly envelope: BusEnvelopeRef;
      readonly reason: string;
    }
  | {
      readonly kind: 'handler_failed';
      readonly severity: 'error';
      readonly envelope: BusEnvelopeRef;
      readonly error: unknown;
    }
  | {
      readonly kind: 'decode_failed';
      readonly severity: 'error';
      readonly subject: string;
      readonly reason: string;
    }
  | { readonly kind: 'transport_error'; readonly severity: 'error'; readonly reason: string };

/** Listener of {@link BusPort.onDiagnostic}; it must not throw (a throw is logged, not propagated). */
export type BusDiagnosticListener = (diagnostic: BusDiagnostic) => void;

/** Stable codes of {@link BusError}. */
export type BusErrorCode =
  | 'closed'
  | 'connect_failed'
  | 'invalid_envelope'
  | 'control_queue_full'
  | 'control_outbox_full'
  | 'control_publish_failed';

/** The single error shape of the bus adapters. */
export class BusError extends Error {
  /** Stable code callers branch on. */
  readonly code: BusErrorCode;
  /** Whether the same call may succeed later. */
  readonly retryable: boolean;
  /** Which implementation raised it. */
  readonly provider: BusKind;

  /** Builds the error; `cause` keeps the underlying client error. */
  constructor(
    code: BusErrorCode,
    message: string,
    details: { readonly provider: BusKind; readonly retryable?: boolean; readonly cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'BusError';
    this.code = code;
    this.retryable = details.retryable ?? false;
    this.provider = details.provider;
  }
}

/**
 * The bus. Per subscription, delivery is serial and in priority order: every queued ControlLane
 * envelope before any queued DataLane one, TelemetryLane only when both are empty; order within
 * a lane is publish order. An envelope whose `idempotency_key` (or, without one, `event_id`)
 * was applied within the lane's dedupe window is not applied again.
 */
export interface BusPort {
  /** Which implementation this is. */
  readonly kind: BusKind;
  /**
   * Publishes on the lane subject of `record.lane`. Resolves once the bus has custody: queued
   * to local subscribers (embedded), handed to the connection (nats Data/Telemetry, or shed
   * with a `dropped` diagnostic while disconnected), or stored by JetStream (nats ControlLane,
   * retried across reconnects). Rejects with SubjectTokenError or BusError.
   */
  publish(envelope: BusEnvelope): Promise<void>;
  /** Subscribes to the three lanes of one session; resolves once no later publish can be missed. */
  subscribe(
    tenantId: string,
    sessionId: string,
    handler: BusHandler,
    options?: BusSubscribeOptions,
  ): Promise<BusSubscription>;
  /** Registers a diagnostics listener; returns its removal. */
  onDiagnostic(listener: BusDiagnosticListener): () => void;
  /** Current connection state (embedded: `connected` until closed). */
  connectionState(): BusConnectionState;
  /** Refuses new publishes, finishes pending ControlLane publishes and queued deliveries, then closes. */
  drain(): Promise<void>;
  /** Closes now: pending publishes reject with `closed`, queued deliveries are discarded. */
  close(): Promise<void>;
}
