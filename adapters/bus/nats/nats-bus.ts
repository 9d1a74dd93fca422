/**
 * NATS bus: the distributed implementation of the bus port on the v3 client. DataLane and
 * TelemetryLane use core subjects (fast, may shed); ControlLane goes through the JetStream
 * stream RSPP_V1_CONTROL so that a server restart loses no control signal (see ADR 0005).
 */
import {
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, nanos, type Authenticator, type NatsConnection } from '@nats-io/transport-node';
import {
  BusError,
  CONTROL_STREAM_NAME,
  CONTROL_STREAM_SUBJECTS,
  DiagnosticsHub,
  assertSubjectToken,
  checkDirection,
  checkEnvelope,
  type BusConnectionState,
  type BusDiagnosticListener,
  type BusEnvelope,
  type BusEnvelopeRef,
  type BusPort,
  type Lane,
} from '../core/index.ts';
import { ControlOutbox } from './control-outbox.ts';
import { ConnectionTracker } from './connection-tracker.ts';
import { reasonOf, subscribeSession, type NatsSessionSubscription } from './nats-subscription.ts';
import { encodeNatsMessage } from './wire.ts';

/** Options of {@link createNatsBus}; every bound has a declared default. */
export interface NatsBusOptions {
  /** Server URL(s), e.g. `nats://127.0.0.1:4222`; read from config by the composition root. */
  readonly servers: string | readonly string[];
  /** Connection name shown by the server. */
  readonly name?: string;
  /**
   * Credentials for a server with per-user permissions (`usernamePasswordAuthenticator`,
   * `credsAuthenticator`, ...); docs/operations.md gives the permissions a tenant's user needs.
   */
  readonly authenticator?: Authenticator;
  /**
   * Prefix of this connection's reply subjects (default `_INBOX`). Under per-tenant permissions
   * each tenant gets its own (`_INBOX_<tenant>`), so no tenant can subscribe to another's replies.
   */
  readonly inboxPrefix?: string;
  /** Listener registered before connecting, so it also sees the first `connected`. */
  readonly onDiagnostic?: BusDiagnosticListener;
  /** Wait between reconnect attempts, in ms (default 250; attempts never stop). */
  readonly reconnectTimeWaitMs?: number;
  /** Client ping interval, in ms (default 5000; two missed pings mark the connection stale). */
  readonly pingIntervalMs?: number;
  /** Most ControlLane signals awaiting a JetStream acknowledgement (default 1024). */
  readonly controlOutboxCapacity?: number;
  /**
   * Most ControlLane publishes sent and not yet acknowledged at once (default 256); 1 sends
   * one at a time. Stream order stays publish order at any size (ADR 0024).
   */
  readonly controlPublishWindow?: number;
  /** Timeout of one ControlLane publish attempt, in ms (default 2000). */
  readonly controlPublishTimeoutMs?: number;
  /** Redelivery delay of an unacknowledged ControlLane signal, in ms (default 30 000). */
  readonly controlAckWaitMs?: number;
  /** Pull request expiry of the ControlLane consumers, in ms (default 5000, minimum 1000). */
  readonly controlPullExpiresMs?: number;
}

/** Declared bounds of the ControlLane stream; `discard: new` refuses rather than deletes when full. */
export const CONTROL_STREAM_LIMITS = {
  maxAgeMs: 60 * 60 * 1000,
  maxBytes: 256 * 1024 * 1024,
  maxMsgs: 1_000_000,
  maxMsgSize: 1024 * 1024,
  duplicateWindowMs: 2 * 60 * 1000,
} as const;

/** Declared defaults of the ControlLane publisher. */
export const CONTROL_PUBLISH_DEFAULTS = {
  outboxCapacity: 1024,
  window: 256,
  attemptTimeoutMs: 2000,
} as const;

/** Lifetime of a ControlLane consumer whose subscriber vanished without closing, in ms. */
const CONSUMER_INACTIVE_MS = 60 * 60 * 1000;

/** A record for another JetStream stream, stored in order with the ControlLane (ADR 0035). */
export interface OrderedRecord {
  /** Subject of the other stream (never a lane subject). */
  readonly subject: string;
  /** `Nats-Msg-Id`; JetStream dedupes it within that stream's duplicate window. */
  readonly msgID: string;
  /** The message body (UTF-8 JSON). */
  readonly data: string;
  /** The signal the record describes, named in diagnostics. */
  readonly ref: BusEnvelopeRef;
}

/** The NATS bus: a {@link BusPort} on one connection. */
export interface NatsBus extends BusPort {
  /** Which implementation this is. */
  readonly kind: 'nats';
  /**
   * Stores a record of another stream through the ControlLane outbox: behind every ControlLane
   * signal published before the call and ahead of every later one, on the same connection, with
   * the same re-sends (ADR 0024). A ControlLane signal published after it therefore never
   * reaches the server without it. Resolves once stored; rejects as a ControlLane publish does.
   */
  appendInOrder(record: OrderedRecord): Promise<void>;
}

type Phase = 'open' | 'draining' | 'closed';

/** Connects, makes sure the ControlLane stream exists, and returns the bus. */
export async function createNatsBus(options: NatsBusOptions): Promise<NatsBus> {
  // Config mistakes fail before connecting, naming the option.
  const outboxCapacity = positiveInteger(
    'controlOutboxCapacity',
    options.controlOutboxCapacity ?? CONTROL_PUBLISH_DEFAULTS.outboxCapacity,
  );
  const publishWindow = positiveInteger(
    'controlPublishWindow',
    options.controlPublishWindow ?? CONTROL_PUBLISH_DEFAULTS.window,
  );
  const diagnostics = new DiagnosticsHub();
  if (options.onDiagnostic !== undefined) diagnostics.add(options.onDiagnostic);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: typeof options.servers === 'string' ? options.servers : [...options.servers],
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.authenticator === undefined ? {} : { authenticator: options.authenticator }),
      ...(options.inboxPrefix === undefined ? {} : { inboxPrefix: options.inboxPrefix }),
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectTimeWaitMs ?? 250,
      pingInterval: options.pingIntervalMs ?? 5000,
      maxPingOut: 2,
    });
  } catch (error) {
    throw new BusError('connect_failed', `cannot connect to NATS: ${reasonOf(error)}`, {
      provider: 'nats',
      retryable: true,
      cause: error,
    });
  }
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
    await ensureControlStream(jsm);
  } catch (error) {
    await nc.close();
    throw new BusError('connect_failed', `JetStream unavailable: ${reasonOf(error)}`, {
      provider: 'nats',
      cause: error,
    });
  }
  const tracker = new ConnectionTracker(nc, diagnostics);
  const js = jetstream(nc);
  const outbox = new ControlOutbox({
    js,
    capacity: outboxCapacity,
    window: publishWindow,
    attemptTimeoutMs: options.controlPublishTimeoutMs ?? CONTROL_PUBLISH_DEFAULTS.attemptTimeoutMs,
    whenConnected: () => tracker.whenConnected(),
    connectionId: () => {
      // The server id changes with every server start and the client id with every connection
      // to it, so together they name the connection a publish made now travels on.
      const info = nc.info;
      if (info === undefined || tracker.state() !== 'connected') return undefined;
      return `${info.server_id}/${info.client_id}`;
    },
    diagnostics,
  });
  const subscriptions = new Set<NatsSessionSubscription>();
  const publishDrops: Record<Lane, number> = { ControlLane: 0, DataLane: 0, TelemetryLane: 0 };
  const context = {
    nc,
    js,
    jsm,
    diagnostics,
    ackWaitMs: options.controlAckWaitMs ?? 30_000,
    consumerInactiveMs: CONSUMER_INACTIVE_MS,
    pullExpiresMs: Math.max(1000, options.controlPullExpiresMs ?? 5000),
  };
  let phase: Phase = 'open';
  const currentPhase = (): Phase => phase;
  const closedError = (): BusError =>
    new BusError('closed', 'the NATS bus is closed', { provider: 'nats' });

  const close = async (): Promise<void> => {
    if (phase === 'closed') return;
    phase = 'closed';
    outbox.close();
    const subs = [...subscriptions];
    if (tracker.state() === 'connected') {
      await Promise.all(subs.map((sub) => sub.close()));
    } else {
      for (const sub of subs) sub.abandon();
    }
    tracker.markClosed();
    await nc.close();
  };

  return {
    kind: 'nats',
    close,
    async publish(envelope: BusEnvelope): Promise<void> {
      if (phase !== 'open') throw closedError();
      const checked = checkEnvelope(envelope, 'nats');
      const wire = encodeNatsMessage(checked);
      if (checked.ref.lane === 'ControlLane') return outbox.enqueue(checked, wire);
      if (tracker.state() !== 'connected') {
        // The v3 client discards its outbound buffer on every reconnect attempt, so a publish
        // now would vanish silently; shed it here where it can be counted and reported.
        publishDrops[checked.ref.lane] += 1;
        diagnostics.emit({
          kind: 'dropped',
          severity: 'warning',
          side: 'publish',
          reason: 'disconnected',
          envelope: checked.ref,
          dropped_total: publishDrops[checked.ref.lane],
        });
        return;
      }
      nc.publish(
        checked.subject,
        wire.data,
        wire.headers === undefined ? undefined : { headers: wire.headers },
      );
    },
    async appendInOrder(record: OrderedRecord): Promise<void> {
      if (phase !== 'open') throw closedError();
      const { subject, msgID, ref } = record;
      return outbox.enqueueRecord(
        { subject, msgID, ref },
        { data: record.data, headers: undefined },
      );
    },
    async subscribe(tenantId, sessionId, handler, subscribeOptions = {}) {
      if (phase !== 'open') throw closedError();
      assertSubjectToken('tenant_id', tenantId);
      assertSubjectToken('session_id', sessionId);
      checkDirection(subscribeOptions.direction, 'direction', 'nats');
      // onClosed only runs after subscribeSession resolved, so `subscription` is set by then.
      const subscription: NatsSessionSubscription = await subscribeSession(
        context,
        tenantId,
        sessionId,
        handler,
        subscribeOptions,
        () => subscriptions.delete(subscription),
      );
      // Read through a function: TypeScript keeps the narrowing from before the await.
      if (currentPhase() === 'closed') {
        // The bus closed while the consumer was being created: do not leak it.
        await subscription.close();
        throw closedError();
      }
      subscriptions.add(subscription);
      return subscription;
    },
    onDiagnostic: (listener) => diagnostics.add(listener),
    connectionState: (): BusConnectionState => tracker.state(),
    drain: async () => {
      if (phase !== 'open') return close();
      phase = 'draining';
      await outbox.whenEmpty();
      await Promise.all([...subscriptions].map((sub) => sub.drain()));
      return close();
    },
  };
}

/** Creates the ControlLane stream, or keeps the existing one (the first creator's bounds win). */
async function ensureControlStream(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.add({
      name: CONTROL_STREAM_NAME,
      subjects: [...CONTROL_STREAM_SUBJECTS],
      storage: StorageType.File,
      // Interest: a signal is kept only until every session consumer has acknowledged it, so the
      // stream holds the in-flight ControlLane, not a history (replay evidence lives elsewhere).
      retention: RetentionPolicy.Interest,
      discard: DiscardPolicy.New,
      max_age: nanos(CONTROL_STREAM_LIMITS.maxAgeMs),
      max_bytes: CONTROL_STREAM_LIMITS.maxBytes,
      max_msgs: CONTROL_STREAM_LIMITS.maxMsgs,
      max_msg_size: CONTROL_STREAM_LIMITS.maxMsgSize,
      duplicate_window: nanos(CONTROL_STREAM_LIMITS.duplicateWindowMs),
      num_replicas: 1,
    });
  } catch (error) {
    // 10058: a stream with this name exists with other settings; keep its bounds rather than
    // fight, but it must capture today's subjects (a stream of an older layout would not).
    if (!(error instanceof JetStreamApiError && error.code === 10058)) throw error;
    const { config } = await jsm.streams.info(CONTROL_STREAM_NAME);
    const missing = CONTROL_STREAM_SUBJECTS.filter((subject) => !config.subjects.includes(subject));
    if (missing.length > 0) {
      await jsm.streams.update(CONTROL_STREAM_NAME, {
        ...config,
        subjects: [...CONTROL_STREAM_SUBJECTS],
      });
    }
  }
}

/** Returns a positive integer option, or throws a RangeError naming it and what it received. */
function positiveInteger(field: string, value: number): number {
  if (Number.isInteger(value) && value >= 1) return value;
  throw new RangeError(`${field} must be a positive integer, received ${String(value)}`);
}
