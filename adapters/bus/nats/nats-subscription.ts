/**
 * Subscriber side of the NATS bus for one session: core subscriptions for DataLane and
 * TelemetryLane, and a durable JetStream consumer for ControlLane that survives a server
 * restart. Every lane feeds the shared inbox, so priority, order and dedupe match the
 * embedded bus.
 */
import { randomUUID } from 'node:crypto';
import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import {
  nanos,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import {
  CONTROL_STREAM_NAME,
  SubscriptionInbox,
  checkEnvelope,
  laneFilter,
  resolveLimits,
  type BusHandler,
  type BusSubscribeOptions,
  type BusSubscription,
  type DiagnosticsHub,
} from '../core/index.ts';
import { decodeNatsMessage } from './wire.ts';

/** What a session subscription needs from its bus. */
export interface NatsSubscriptionContext {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly diagnostics: DiagnosticsHub;
  /** Redelivery delay of an unacknowledged control signal, in ms. */
  readonly ackWaitMs: number;
  /** Lifetime of an abandoned control consumer on the server, in ms. */
  readonly consumerInactiveMs: number;
  /** Expiry of each pull request, in ms; also paces recovery checks after a reconnect. */
  readonly pullExpiresMs: number;
}

/** A session subscription plus the hook its bus uses on close. */
export interface NatsSessionSubscription extends BusSubscription {
  /** Stops intake and discards the queue without contacting the server. */
  abandon(): void;
}

/** Subscribes to one session; resolves once the server has both core interests and the consumer. */
export async function subscribeSession(
  context: NatsSubscriptionContext,
  tenantId: string,
  sessionId: string,
  handler: BusHandler,
  options: BusSubscribeOptions,
  onClosed: () => void,
): Promise<NatsSessionSubscription> {
  const { nc, js, jsm, diagnostics } = context;
  const limits = resolveLimits(options.limits);
  const inbox = new SubscriptionInbox({ handler, limits, diagnostics, schedule: queueMicrotask });

  const receive = (
    subject: string,
    data: Uint8Array,
    headers: MsgHdrs | undefined,
    ack: () => void,
  ): void => {
    let checked;
    try {
      // A bad frame (attachment length, JSON) or a binary on ControlLane fails here, like any
      // malformed envelope: reported, acknowledged so it is not redelivered, never applied.
      checked = checkEnvelope(decodeNatsMessage(data, headers), 'nats');
    } catch (error) {
      diagnostics.emit({
        kind: 'decode_failed',
        severity: 'error',
        subject,
        reason: reasonOf(error),
      });
      ack(); // A poison message must not be redelivered forever.
      return;
    }
    if (checked.subject !== subject) {
      // The envelope claims another tenant, session or lane than the subject it came on.
      diagnostics.emit({
        kind: 'decode_failed',
        severity: 'error',
        subject,
        reason: `envelope belongs to ${checked.subject}`,
      });
      ack();
      return;
    }
    // A 'rejected' control signal stays unacknowledged: JetStream redelivers it after ack_wait.
    inbox.offer(checked, ack);
  };

  const coreSubscribe = (subject: string): Subscription =>
    nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error !== null) {
          diagnostics.emit({ kind: 'transport_error', severity: 'error', reason: reasonOf(error) });
          return;
        }
        receive(msg.subject, msg.data, msg.headers, () => {});
      },
    });

  const { direction } = options;
  const core = [
    coreSubscribe(laneFilter(tenantId, sessionId, 'DataLane', direction)),
    coreSubscribe(laneFilter(tenantId, sessionId, 'TelemetryLane', direction)),
  ];
  const consumerName = `rspp_v1_${randomUUID().replaceAll('-', '')}`;
  let messages: ConsumerMessages | undefined;
  try {
    await jsm.consumers.add(CONTROL_STREAM_NAME, {
      durable_name: consumerName,
      filter_subject: laneFilter(tenantId, sessionId, 'ControlLane', direction),
      deliver_policy: DeliverPolicy.New,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(context.ackWaitMs),
      // The server never has more unacknowledged signals out than the inbox can queue, so the
      // ControlLane queue cannot overflow: excess signals wait, stored, in the stream.
      max_ack_pending: limits.ControlLane.capacity,
      max_deliver: -1,
      inactive_threshold: nanos(context.consumerInactiveMs),
    });
    const consumer = await js.consumers.get(CONTROL_STREAM_NAME, consumerName);
    messages = await consumer.consume({
      max_messages: Math.min(limits.ControlLane.capacity, 64),
      expires: context.pullExpiresMs,
      callback: (msg) => receive(msg.subject, msg.data, msg.headers, () => msg.ack()),
    });
    // Interest in the core subjects is registered once the server answers this ping.
    await nc.flush();
  } catch (error) {
    for (const sub of core) sub.unsubscribe();
    inbox.close();
    await messages?.close().catch(() => undefined);
    await jsm.consumers.delete(CONTROL_STREAM_NAME, consumerName).catch(() => false);
    throw error;
  }
  const consumerMessages = messages;
  watchConsumer(consumerMessages, `${tenantId}/${sessionId}`, diagnostics).catch(
    (error: unknown) => {
      diagnostics.emit({ kind: 'transport_error', severity: 'error', reason: reasonOf(error) });
    },
  );

  let stopped = false;
  const stopIntake = (): void => {
    if (stopped) return;
    stopped = true;
    for (const sub of core) sub.unsubscribe();
    consumerMessages.stop();
    onClosed();
  };
  const removeConsumer = async (): Promise<void> => {
    // Best effort: if the server is unreachable the consumer expires after its inactive threshold.
    await jsm.consumers.delete(CONTROL_STREAM_NAME, consumerName).catch((error: unknown) => {
      diagnostics.emit({
        kind: 'transport_error',
        severity: 'error',
        reason: `control consumer not deleted: ${reasonOf(error)}`,
      });
      return false;
    });
  };

  return {
    tenant_id: tenantId,
    session_id: sessionId,
    stats: () => inbox.stats(),
    drain: async () => {
      stopIntake();
      await inbox.drain();
      await removeConsumer();
    },
    close: async () => {
      stopIntake();
      inbox.close();
      await removeConsumer();
    },
    abandon: () => {
      stopIntake();
      inbox.close();
    },
  };
}

const LOST_CONSUMER: ReadonlySet<string> = new Set([
  'consumer_not_found',
  'consumer_deleted',
  'stream_not_found',
]);

/**
 * Reports a lost ControlLane consumer. A durable consumer survives a server restart, so this
 * only fires when it was removed (inactive threshold passed, or deleted by an operator); the
 * runtime must then treat the session's ControlLane as broken rather than silently quiet.
 */
async function watchConsumer(
  messages: ConsumerMessages,
  session: string,
  diagnostics: DiagnosticsHub,
): Promise<void> {
  for await (const status of messages.status()) {
    // Every other notification (heartbeats, pulls, resets) is routine client bookkeeping.
    if (LOST_CONSUMER.has(status.type)) {
      diagnostics.emit({
        kind: 'transport_error',
        severity: 'error',
        reason: `ControlLane consumer of ${session}: ${status.type}`,
      });
    }
  }
}

/** Message of an unknown thrown value; never includes payload content. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
