/**
 * Runs the bus conformance suite against the NATS bus on a real nats-server (the globalSetup's,
 * NATS_URL, or one started here), plus NATS-only wire checks. Restart cases: nats-restart.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type Msg } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BINARY_LENGTH_HEADER, createNatsBus } from '../../../adapters/bus/nats/index.ts';
import type { BusEnvelope } from '../../../contracts/ports/bus.port.ts';
import { CONTROL_STREAM_NAME, laneSubject } from '../../../contracts/subjects.ts';
import { natsUrlFromEnv } from '../../harness/global-nats.ts';
import { startNatsServer, type NatsServerHandle } from '../../harness/nats-server.ts';
import { audioFrame } from './bus-conformance-binary.ts';
import { defineBusConformance } from './bus-conformance.ts';
import {
  collect,
  controlSignal,
  createGate,
  dataRecord,
  envelopeOf,
  ids,
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

describe('nats bus binary framing', () => {
  it('sends the attachment as raw bytes after the JSON, its count in Rspp-Binary-Length', async () => {
    const ref = { tenant: `t-${randomUUID().slice(0, 8)}`, session: 's-1' };
    const bus = await createNatsBus({ servers: url });
    const raw = await connect({ servers: url });
    try {
      const onWire: Msg[] = [];
      raw.subscribe(laneSubject(ref.tenant, ref.session, 'DataLane'), {
        callback: (_error, msg) => void onWire.push(msg),
      });
      await raw.flush();
      const frame = audioFrame();
      const payload = { kind: 'audio', encoding: 'pcm16le', sample_rate_hz: 16000, channels: 1 };
      const envelope: BusEnvelope = {
        tenant_id: ref.tenant,
        record: dataRecord(ref, 1),
        payload,
        binary: frame,
      };
      await bus.publish(envelope);
      await waitFor('the frame on the wire', () => onWire.length === 1);
      const msg = onWire[0] as Msg;
      const json = JSON.stringify({ tenant_id: ref.tenant, record: dataRecord(ref, 1), payload });
      const jsonBytes = Buffer.byteLength(json);
      expect(msg.headers?.get(BINARY_LENGTH_HEADER)).toBe('640');
      // Raw: JSON length + byte count exactly (base64 would add a third, a JSON array ~3x).
      expect(msg.data.length).toBe(jsonBytes + frame.length);
      expect(Buffer.from(msg.data.subarray(0, jsonBytes)).toString('utf8')).toBe(json);
      expect(Buffer.from(msg.data.subarray(jsonBytes)).equals(Buffer.from(frame))).toBe(true);
      const text = Buffer.from(msg.data).toString('latin1');
      expect(text).not.toContain(Buffer.from(frame).toString('base64').slice(0, 32));
      expect(text).not.toContain('"binary"');
    } finally {
      await raw.close();
      await bus.close();
    }
  });

  it('reports a malformed frame as decode_failed and keeps delivering; ControlLane bytes are dropped once', async () => {
    const ref = { tenant: `t-${randomUUID().slice(0, 8)}`, session: 's-1' };
    const bus = await createNatsBus({ servers: url });
    const raw = await connect({ servers: url });
    try {
      const diagnostics = collect((l) => bus.onDiagnostic(l));
      const seen: BusEnvelope[] = [];
      await bus.subscribe(ref.tenant, ref.session, (e) => void seen.push(e));
      const dataSubject = laneSubject(ref.tenant, ref.session, 'DataLane');
      const controlSubject = laneSubject(ref.tenant, ref.session, 'ControlLane');
      const body = (record: BusEnvelope['record']): Uint8Array =>
        Buffer.concat([
          Buffer.from(JSON.stringify({ tenant_id: ref.tenant, record })),
          Buffer.from(audioFrame(4)),
        ]);
      const framed = (...counts: string[]) => {
        const headers = natsHeaders();
        for (const count of counts) headers.append(BINARY_LENGTH_HEADER, count);
        return { headers };
      };
      raw.publish(dataSubject, body(dataRecord(ref, 1)), framed('four'));
      raw.publish(dataSubject, body(dataRecord(ref, 2)), framed('4', '4'));
      raw.publish(dataSubject, body(dataRecord(ref, 3)), framed('100000'));
      raw.publish(dataSubject, body(dataRecord(ref, 4))); // no header: the bytes break the JSON
      raw.publish(dataSubject, body(dataRecord(ref, 5)), framed('4')); // well formed
      // A control signal carrying bytes, straight into the stream: refused and acknowledged,
      // so JetStream does not redeliver it forever.
      await jetstream(raw).publish(controlSubject, body(controlSignal(ref, 6)), framed('4'));
      await bus.publish(envelopeOf(ref, controlSignal(ref, 7)));
      await waitFor('d5 and c7 delivered', () => seen.length === 2);
      expect(ids(seen).sort()).toEqual(['c7', 'd5']);
      expect(seen.find((e) => e.record.event_id === 'd5')?.binary).toEqual(audioFrame(4));
      const reasons = (lane: string): string[] =>
        diagnostics.flatMap((d) =>
          d.kind === 'decode_failed' && d.subject.endsWith(`.${lane}`) ? [d.reason] : [],
        );
      // Core messages of one connection arrive in publish order; the stream delivers on its own.
      expect(reasons('data')).toEqual([
        'Rspp-Binary-Length: expected a byte count, received "four"',
        'Rspp-Binary-Length: expected one value, received 2',
        expect.stringMatching(/^Rspp-Binary-Length: expected at most \d+ bytes/),
        expect.any(String), // JSON.parse's own message about the bytes after the JSON
      ]);
      expect(reasons('control')).toEqual([
        'invalid binary: expected none on ControlLane, received 4 bytes',
      ]);
      const jsm = await jetstreamManager(raw);
      await waitFor('the refused signal acknowledged and removed', async () => {
        const info = await jsm.streams.info(CONTROL_STREAM_NAME, {
          subjects_filter: controlSubject,
        });
        return !(controlSubject in (info.state.subjects ?? {}));
      });
      expect(bus.connectionState()).toBe('connected');
    } finally {
      await raw.close();
      await bus.close();
    }
  });
});
