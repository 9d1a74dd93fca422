/**
 * NATS-only: stopping and restarting the nats-server loses no ControlLane signal of an active
 * turn, applies a redelivered signal once, and surfaces the outage as RK-23-style connection
 * diagnostics instead of a crash. Each case owns its server, since it restarts it.
 */
import { describe, expect, it } from 'vitest';
import { createNatsBus, type NatsBus } from '../../../adapters/bus/nats/index.ts';
import type { BusDiagnostic, BusEnvelope } from '../../../contracts/ports/bus.port.ts';
import {
  startNatsServer,
  type NatsServerHandle,
  type NatsStopMode,
} from '../../harness/nats-server.ts';
import {
  collect,
  controlSignal,
  createGate,
  dataRecord,
  envelopeOf,
  ids,
  waitFor,
} from './fixtures.ts';

const ref = { tenant: 'acme', session: 'call-1' };

async function withServer(
  body: (server: NatsServerHandle, buses: NatsBus[]) => Promise<void>,
): Promise<void> {
  const server = await startNatsServer();
  const buses: NatsBus[] = [];
  try {
    await body(server, buses);
  } finally {
    await Promise.all(buses.map((bus) => bus.close()));
    await server.dispose();
  }
}

function connectionTrail(diagnostics: readonly BusDiagnostic[]): string[] {
  return diagnostics.flatMap((d) => (d.kind === 'connection' ? [`${d.state}:${d.reason}`] : []));
}

describe('nats bus across a server restart', { timeout: 60_000 }, () => {
  for (const mode of ['kill', 'graceful'] as const satisfies readonly NatsStopMode[]) {
    it(`loses no ControlLane signal when the server is stopped (${mode}) and restarted`, async () => {
      await withServer(async (server, buses) => {
        const pubDiag: BusDiagnostic[] = [];
        const subDiag: BusDiagnostic[] = [];
        const options = { servers: server.url, reconnectTimeWaitMs: 50 };
        const publisher = await createNatsBus({
          ...options,
          onDiagnostic: (d) => void pubDiag.push(d),
        });
        const subscriber = await createNatsBus({
          ...options,
          onDiagnostic: (d) => void subDiag.push(d),
        });
        buses.push(publisher, subscriber);
        const seen: BusEnvelope[] = [];
        await subscriber.subscribe(ref.tenant, ref.session, (e) => void seen.push(e));

        for (let seq = 0; seq < 5; seq += 1)
          await publisher.publish(envelopeOf(ref, controlSignal(ref, seq)));
        await waitFor('c0..c4 delivered', () => seen.length === 5);

        await server.stop(mode);
        await waitFor('publisher saw the loss', () => publisher.connectionState() !== 'connected');
        // Published during the outage: control must survive, data is shed and reported.
        const during = [5, 6, 7].map((seq) =>
          publisher.publish(envelopeOf(ref, controlSignal(ref, seq))),
        );
        await publisher.publish(envelopeOf(ref, dataRecord(ref, 8)));
        await server.restart();
        await Promise.all(during);
        for (let seq = 9; seq < 12; seq += 1)
          await publisher.publish(envelopeOf(ref, controlSignal(ref, seq)));

        await waitFor('c0..c11 delivered', () => seen.length >= 11);
        expect(ids(seen)).toEqual([
          'c0',
          'c1',
          'c2',
          'c3',
          'c4',
          'c5',
          'c6',
          'c7',
          'c9',
          'c10',
          'c11',
        ]);
        for (const [name, trail] of [
          ['publisher', connectionTrail(pubDiag)],
          ['subscriber', connectionTrail(subDiag)],
        ] as const) {
          expect(trail[0], name).toBe('connected:connected');
          expect(trail, name).toContain('disconnected:connection_lost');
          expect(trail.at(-1), name).toBe('connected:reconnected');
          expect(trail.indexOf('reconnecting:reconnect_attempt'), name).toBeGreaterThan(0);
        }
        expect(pubDiag).toContainEqual(
          expect.objectContaining({
            kind: 'dropped',
            side: 'publish',
            reason: 'disconnected',
            envelope: expect.objectContaining({ event_id: 'd8' }),
          }),
        );
        // The durable consumer survived the restart: nothing reported it lost.
        expect(subDiag.filter((d) => d.kind === 'transport_error')).toEqual([]);
        expect(publisher.connectionState()).toBe('connected');
        expect(subscriber.connectionState()).toBe('connected');
      });
    });
  }

  it('applies a signal once when its acknowledgement is lost in the outage and JetStream redelivers it', async () => {
    await withServer(async (server, buses) => {
      const options = { servers: server.url, reconnectTimeWaitMs: 50, controlAckWaitMs: 1000 };
      const publisher = await createNatsBus(options);
      const subscriber = await createNatsBus(options);
      buses.push(publisher, subscriber);
      const diagnostics = collect((l) => subscriber.onDiagnostic(l));
      const seen: BusEnvelope[] = [];
      const gate = createGate();
      const sub = await subscriber.subscribe(ref.tenant, ref.session, async (e) => {
        seen.push(e);
        if (seen.length === 1) await gate.promise;
      });
      await publisher.publish(envelopeOf(ref, controlSignal(ref, 0)));
      await publisher.publish(envelopeOf(ref, controlSignal(ref, 1)));
      await waitFor(
        'c0 in the handler, c1 queued',
        () => seen.length === 1 && sub.stats().ControlLane.queued === 1,
      );

      await server.stop('kill');
      await waitFor('subscriber saw the loss', () => subscriber.connectionState() !== 'connected');
      gate.open(); // c0 and c1 are applied now; their acks cannot reach the server.
      await waitFor('c1 applied', () => seen.length === 2);
      await server.restart();
      await publisher.publish(envelopeOf(ref, controlSignal(ref, 2)));

      await waitFor('redelivery of c0/c1 skipped', () => sub.stats().ControlLane.duplicates >= 2);
      await waitFor('c2 delivered', () => seen.length === 3);
      expect(ids(seen)).toEqual(['c0', 'c1', 'c2']);
      expect(
        diagnostics.filter((d) => d.kind === 'handler_failed' || d.kind === 'decode_failed'),
      ).toEqual([]);
    });
  });
});
