/**
 * Runs the bus conformance suite against the NATS bus on a real nats-server (the globalSetup's,
 * NATS_URL, or one started here), plus NATS-only wire checks. Restart cases: nats-restart.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNatsBus } from '../../../adapters/bus/nats/index.ts';
import { CONTROL_STREAM_NAME, laneSubject } from '../../../contracts/subjects.ts';
import { natsUrlFromEnv } from '../../harness/global-nats.ts';
import { startNatsServer, type NatsServerHandle } from '../../harness/nats-server.ts';
import { defineBusConformance } from './bus-conformance.ts';
import {
  controlSignal,
  createGate,
  dataRecord,
  envelopeOf,
  telemetryRecord,
  waitFor,
} from './fixtures.ts';

let url = '';
let ownServer: NatsServerHandle | undefined;

beforeAll(async () => {
  // inject() yields undefined when no globalSetup provided the URL.
  const provided = inject('natsUrl') as string | undefined;
  const fromEnv = provided ?? natsUrlFromEnv();
  if (fromEnv !== undefined) {
    url = fromEnv;
    return;
  }
  ownServer = await startNatsServer();
  url = ownServer.url;
});
afterAll(async () => ownServer?.dispose());

defineBusConformance({
  name: 'nats',
  createPair: async () => {
    const publisher = await createNatsBus({ servers: url, name: 'conformance-publisher' });
    const subscriber = await createNatsBus({ servers: url, name: 'conformance-subscriber' });
    return {
      publisher,
      subscriber,
      dispose: async () => {
        await publisher.close();
        await subscriber.close();
      },
    };
  },
});

describe('nats bus wire layout', () => {
  it('carries each lane on its own versioned subject; JetStream holds only unacknowledged control', async () => {
    const ref = { tenant: `t-${randomUUID().slice(0, 8)}`, session: 's-1' };
    const control = `rspp.v1.${ref.tenant}.${ref.session}.out.control`;
    const bus = await createNatsBus({ servers: url });
    const raw = await connect({ servers: url });
    try {
      const onWire: Record<string, string[]> = {};
      raw.subscribe(`rspp.v1.${ref.tenant}.${ref.session}.*.*`, {
        callback: (_error, msg) => {
          (onWire[msg.subject] ??= []).push(
            msg.json<{ record: { event_id: string } }>().record.event_id,
          );
        },
      });
      await raw.flush();
      const jsm = await jetstreamManager(raw);
      const stored = async (): Promise<Record<string, number>> =>
        (
          await jsm.streams.info(CONTROL_STREAM_NAME, {
            subjects_filter: `rspp.v1.${ref.tenant}.>`,
          })
        ).state.subjects ?? {};
      const gate = createGate();
      const handled: string[] = [];
      await bus.subscribe(ref.tenant, ref.session, async (envelope) => {
        handled.push(String(envelope.record.event_id));
        if (envelope.record.lane === 'ControlLane') await gate.promise;
      });
      await bus.publish(envelopeOf(ref, dataRecord(ref, 1)));
      await bus.publish(envelopeOf(ref, telemetryRecord(ref, 2)));
      await bus.publish(envelopeOf(ref, controlSignal(ref, 3)));
      await waitFor('three subjects seen', () => Object.keys(onWire).length === 3);
      expect(onWire).toEqual({
        [`rspp.v1.${ref.tenant}.${ref.session}.out.data`]: ['d1'],
        [`rspp.v1.${ref.tenant}.${ref.session}.out.telemetry`]: ['t2'],
        [control]: ['c3'],
      });
      expect(laneSubject(ref.tenant, ref.session, 'ControlLane')).toBe(control);
      // c3 sits unacknowledged in the handler: stored; data and telemetry never are.
      await waitFor('c3 in the handler', () => handled.includes('c3'));
      expect(await stored()).toEqual({ [control]: 1 });
      gate.open();
      await waitFor('c3 acknowledged and removed', async () => !(control in (await stored())));
    } finally {
      await raw.close();
      await bus.close();
    }
  });
});
