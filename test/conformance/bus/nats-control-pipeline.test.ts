/**
 * NATS-only: ControlLane publishes are pipelined (many in flight, ADR 0024) yet stored and
 * delivered in publish order, exactly once, also when the server dies mid-window and comes back.
 * Without a restart, a holding consumer that never acknowledges keeps every stored signal in the
 * stream, so the test reads the stream itself. Across a restart it cannot: nats-server 2.9.10
 * may then drop signals the other consumer acknowledged (ADR 0024), so that case checks the
 * subscriber's delivery order and the publisher's own check of acknowledged stream sequences.
 */
import { createServer, connect as connectTcp, type Socket } from 'node:net';
import { AckPolicy, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { createNatsBus, type NatsBus } from '../../../adapters/bus/nats/index.ts';
import type { BusDiagnostic, BusEnvelope } from '../../../contracts/ports/bus.port.ts';
import { CONTROL_STREAM_NAME, laneSubject } from '../../../contracts/subjects.ts';
import {
  startNatsServer,
  type NatsServerHandle,
  type NatsStopMode,
} from '../../harness/nats-server.ts';
import { controlSignal, envelopeOf, ids, waitFor } from './fixtures.ts';

const ref = { tenant: 'acme', session: 'call-1' };
const COUNT = 500;
const expected = Array.from({ length: COUNT }, (_, seq) => `c${seq}`);

interface Rig {
  readonly server: NatsServerHandle;
  readonly raw: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly buses: NatsBus[];
}

async function withRig(body: (rig: Rig) => Promise<void>): Promise<void> {
  const server = await startNatsServer();
  const raw = await connect({
    servers: server.url,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 50,
  });
  const buses: NatsBus[] = [];
  try {
    await body({ server, raw, jsm: await jetstreamManager(raw), buses });
  } finally {
    await Promise.all(buses.map((bus) => bus.close()));
    await raw.close();
    await server.dispose();
  }
}

/** A durable consumer on the session's control subject that never acknowledges. */
async function holdStream(jsm: JetStreamManager): Promise<void> {
  await jsm.consumers.add(CONTROL_STREAM_NAME, {
    durable_name: 'hold',
    filter_subject: laneSubject(ref.tenant, ref.session, 'ControlLane'),
    ack_policy: AckPolicy.Explicit,
  });
}

/** Event ids of every message in the stream, in stream order. */
async function storedIds(jsm: JetStreamManager): Promise<string[]> {
  const { state } = await jsm.streams.info(CONTROL_STREAM_NAME);
  const stored: string[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq += 1) {
    const msg = await jsm.streams.getMessage(CONTROL_STREAM_NAME, { seq });
    if (msg === null) throw new Error(`stream message ${seq} is gone`);
    stored.push(msg.json<BusEnvelope>().record.event_id ?? '');
  }
  return stored;
}

/** Publishes c<from>..c<to - 1> without awaiting in between; `resolved` records completion order. */
function publishAll(bus: NatsBus, resolved: string[], from = 0, to = COUNT): Promise<void>[] {
  return Array.from({ length: to - from }, (_, i) =>
    bus.publish(envelopeOf(ref, controlSignal(ref, from + i))).then(() => {
      resolved.push(`c${from + i}`);
    }),
  );
}

/** A loopback TCP proxy to the server that can swallow client bytes and cut every connection. */
interface LossyProxy {
  readonly url: string;
  /** Client-to-server bytes swallowed so far (as latin1 text, to look for signals in it). */
  swallowed(): string;
  /** While on, client-to-server bytes are dropped: publishes vanish as on a dying link. */
  swallow(on: boolean): void;
  /** Destroys every proxied connection; the client reconnects through the proxy. */
  cut(): void;
  close(): Promise<void>;
}

async function startLossyProxy(serverUrl: string): Promise<LossyProxy> {
  const target = new URL(serverUrl);
  const sockets = new Set<Socket>();
  let swallowing = false;
  let swallowed = '';
  const proxy = createServer((client) => {
    const upstream = connectTcp(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (swallowing) swallowed += chunk.toString('latin1');
      else upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `nats://127.0.0.1:${port}`,
    swallowed: () => swallowed,
    swallow: (on) => {
      swallowing = on;
    },
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

describe('nats bus: pipelined ControlLane publishes', { timeout: 60_000 }, () => {
  it('stores and delivers 500 signals of one session in publish order, published without awaiting', async () => {
    await withRig(async ({ server, jsm, buses }) => {
      const publisher = await createNatsBus({ servers: server.url });
      const subscriber = await createNatsBus({ servers: server.url });
      buses.push(publisher, subscriber);
      await holdStream(jsm);
      const seen: BusEnvelope[] = [];
      await subscriber.subscribe(ref.tenant, ref.session, (e) => void seen.push(e));
      const diagnostics: BusDiagnostic[] = [];
      publisher.onDiagnostic((d) => void diagnostics.push(d));

      const resolved: string[] = [];
      await Promise.all(publishAll(publisher, resolved));
      // Each publish resolved on its own acknowledgement, and those came back in order.
      expect(resolved).toEqual(expected);
      expect(await storedIds(jsm)).toEqual(expected);
      await waitFor('500 delivered', () => seen.length === COUNT);
      expect(ids(seen)).toEqual(expected);
      expect(diagnostics.filter((d) => d.kind !== 'connection')).toEqual([]);
    });
  });

  it('re-sends a window its connection lost before anything published on the new connection', async () => {
    await withRig(async ({ server, jsm, buses }) => {
      const proxy = await startLossyProxy(server.url);
      try {
        const publisher = await createNatsBus({
          servers: proxy.url,
          reconnectTimeWaitMs: 50,
          controlPublishTimeoutMs: 1000,
        });
        const subscriber = await createNatsBus({ servers: server.url });
        buses.push(publisher, subscriber);
        await holdStream(jsm);
        const seen: BusEnvelope[] = [];
        await subscriber.subscribe(ref.tenant, ref.session, (e) => void seen.push(e));
        const diagnostics: BusDiagnostic[] = [];
        publisher.onDiagnostic((d) => void diagnostics.push(d));
        const resolved: string[] = [];
        await Promise.all(publishAll(publisher, resolved, 0, 100));

        // c100..c199 go out and vanish on the way: the server never sees them.
        proxy.swallow(true);
        const all = publishAll(publisher, resolved, 100, 200);
        await waitFor('the window swallowed', () => proxy.swallowed().includes('call-1/c199'));
        proxy.swallow(false);
        proxy.cut();
        await waitFor('publisher reconnected', () =>
          diagnostics.some((d) => d.kind === 'connection' && d.reason === 'reconnected'),
        );
        // On the new connection while c100..c199 are still unacknowledged: sending these now
        // would store them ahead of the lost ones.
        all.push(...publishAll(publisher, resolved, 200, 300));
        await Promise.all(all);

        const sent = expected.slice(0, 300);
        expect(resolved).toEqual(sent);
        expect(await storedIds(jsm)).toEqual(sent);
        await waitFor('300 delivered', () => seen.length === 300);
        expect(ids(seen)).toEqual(sent);
        const retried = diagnostics.flatMap((d) =>
          d.kind === 'control_publish_retry' ? [d.envelope.event_id] : [],
        );
        expect(retried).toEqual(sent.slice(100, 200));
        expect(diagnostics.filter((d) => d.kind === 'transport_error')).toEqual([]);
      } finally {
        await proxy.close();
      }
    });
  });

  // Killed only: a graceful stop (SIGTERM) of nats-server 2.9.10 while signals are being
  // published or delivered may lose signals it already acknowledged, with the one-at-a-time
  // outbox as well (ADR 0024); nats-restart.test.ts covers graceful stops of a quiet bus.
  for (const mode of ['kill'] as const satisfies readonly NatsStopMode[]) {
    it(`stores and delivers every signal once, in order, when the server is stopped (${mode}) mid-window`, async () => {
      await withRig(async ({ server, buses }) => {
        const options = { servers: server.url, reconnectTimeWaitMs: 50 };
        const publisher = await createNatsBus({ ...options, controlPublishTimeoutMs: 1000 });
        const subscriber = await createNatsBus({ ...options, controlAckWaitMs: 1000 });
        buses.push(publisher, subscriber);
        const seen: BusEnvelope[] = [];
        const sub = await subscriber.subscribe(ref.tenant, ref.session, (e) => void seen.push(e));
        const diagnostics: BusDiagnostic[] = [];
        publisher.onDiagnostic((d) => void diagnostics.push(d));

        const resolved: string[] = [];
        const all = publishAll(publisher, resolved, 0, 300);
        // The first acknowledgement stops the server at once: at most one window (256) of the
        // first 300 was sent by then, so signals are in flight and others queued in the outbox.
        let stopped: Promise<void> | undefined;
        let resolvedAtStop = -1;
        void all[0]?.then(() => {
          resolvedAtStop = resolved.length;
          stopped = server.stop(mode);
        });
        await waitFor('server stopping', () => stopped !== undefined);
        await stopped;
        expect(resolvedAtStop).toBeGreaterThan(0);
        expect(resolvedAtStop).toBeLessThan(300);
        // Published while the server is down: they wait behind whatever the outage interrupted.
        all.push(...publishAll(publisher, resolved, 300, COUNT));
        await server.restart();
        await Promise.all(all);

        expect(resolved).toEqual(expected);
        await waitFor('500 delivered', () => seen.length === COUNT);
        // One consumer receives in stream order (a redelivery of an applied signal is skipped),
        // so in-order, exactly-once delivery means the stream holds them in publish order.
        expect(ids(seen)).toEqual(expected);
        expect(sub.stats().ControlLane.delivered).toBe(COUNT);
        // A graceful stop acknowledges what the server read before closing; a kill may lose part
        // of the window, which is then re-sent (the unit tests pin that path down).
        const trail = diagnostics.flatMap((d) => (d.kind === 'connection' ? [d.reason] : []));
        expect(trail).toContain('connection_lost');
        expect(trail.at(-1)).toBe('reconnected');
        expect(diagnostics.filter((d) => d.kind === 'control_publish_failed')).toEqual([]);
        // The publisher found every fresh store's sequence above the ones published before it.
        expect(diagnostics.filter((d) => d.kind === 'transport_error')).toEqual([]);
        expect(publisher.connectionState()).toBe('connected');
      });
    });
  }
});
