/**
 * The transport bridge over a real nats-server (the globalSetup's): the worker side and the
 * transport side on separate connections, as separate processes would be. Output of a
 * cancelled turn that is still on the bus when the transport cancels never reaches it.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  createManualClock,
  createTransportBridge,
  type BridgeDiagnostic,
  type TransportBridge,
} from '../../actors/index.ts';
import { createNatsBus, type NatsBus } from '../../adapters/bus/nats/index.ts';
import type { BusEnvelope, ControlSignal, EventRecord } from '../../contracts/index.ts';
import { inProcessRigs } from '../../tools/bench/benchmarks/rig-in-process.ts';
import { threadedRigs } from '../../tools/bench/benchmarks/rig-threaded.ts';
import type { Rig } from '../../tools/bench/benchmarks/runtime-kit.ts';
import { waitFor } from '../conformance/bus/fixtures.ts';

const TENANT = 'bridge';
const SECRET = 'SECRET-reply-text';
const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const dispose of open.splice(0).reverse()) await dispose();
});

async function connect(name: string): Promise<NatsBus> {
  const bus = await createNatsBus({ servers: inject('natsUrl'), name });
  open.push(() => bus.close());
  return bus;
}

/** A fake worker: publishes runtime output records of one session on its own connection. */
function worker(bus: NatsBus, session_id: string) {
  let seq = 0;
  const base = (turn_id: string, epoch: number) => {
    seq += 1;
    return {
      schema_version: 'v1.0',
      event_scope: 'turn' as const,
      session_id,
      turn_id,
      pipeline_version: 'pipeline-v1',
      event_id: `out/${session_id}/${String(seq)}`,
      transport_sequence: seq,
      runtime_sequence: seq,
      runtime_timestamp_ms: seq,
      wall_clock_timestamp_ms: 1_700_000_000_000 + seq,
      authority_epoch: epoch,
    };
  };
  return {
    chunk(turn_id: string, epoch = 1): Promise<void> {
      const record: EventRecord = {
        ...base(turn_id, epoch),
        lane: 'DataLane',
        payload_class: 'text_raw',
      };
      return bus.publish({ tenant_id: TENANT, record, payload: { text: SECRET } });
    },
    cancelRecord(turn_id: string): ControlSignal {
      return {
        ...base(turn_id, 1),
        event_id: `in/${session_id}/${String(seq)}`,
        lane: 'ControlLane',
        payload_class: 'metadata',
        signal: 'cancel',
        emitted_by: 'RK-16',
      };
    },
  };
}

async function bridgeOn(bus: NatsBus, session_id: string, authority?: () => number | undefined) {
  const heard: string[] = [];
  const diagnostics: BridgeDiagnostic[] = [];
  const bridge: TransportBridge = createTransportBridge({
    bus,
    tenant_id: TENANT,
    session_id,
    clock: createManualClock(),
    ...(authority === undefined ? {} : { authority }),
    onOutput: (e: BusEnvelope) => {
      if (e.record.lane === 'DataLane') heard.push(String(e.record.turn_id));
    },
    onDiagnostic: (d) => diagnostics.push(d),
  });
  await bridge.open();
  open.push(() => bridge.close());
  return { bridge, heard, diagnostics };
}

describe('transport bridge on NATS', () => {
  it('drops chunks of a cancelled turn that arrive after the cancel; other turns pass', async () => {
    const session_id = `s-${randomUUID().slice(0, 8)}`;
    const out = worker(await connect('bridge-worker'), session_id);
    const t = await bridgeOn(await connect('bridge-transport'), session_id);
    await out.chunk('turn-1');
    await out.chunk('turn-2');
    await waitFor('first chunks', () => t.heard.length === 2);

    const sent = t.bridge.send({ kind: 'cancel', record: out.cancelRecord('turn-1') });
    expect(t.bridge.isFenced('turn-1')).toBe(true);
    await sent;
    for (let i = 0; i < 3; i++) {
      await out.chunk('turn-1');
      await out.chunk('turn-2');
    }
    // One subject, one publishing connection: arrival order is publish order.
    await waitFor('every chunk', () => t.heard.length + t.bridge.stats().fenced_late === 8);

    expect(t.heard).toEqual(['turn-1', 'turn-2', 'turn-2', 'turn-2', 'turn-2']);
    expect(t.bridge.stats()).toMatchObject({ accepted: 5, fenced_late: 3, stale_epoch: 0 });
    expect(t.diagnostics.map((d) => `${d.code} ${String(d.turn_id)}`)).toEqual([
      'late_after_cancel turn-1',
      'late_after_cancel turn-1',
      'late_after_cancel turn-1',
    ]);
    expect(JSON.stringify(t.diagnostics)).not.toContain(SECRET);
  });

  it('never lets output of an older authority epoch through', async () => {
    const session_id = `s-${randomUUID().slice(0, 8)}`;
    const out = worker(await connect('bridge-old-worker'), session_id);
    const t = await bridgeOn(await connect('bridge-transport'), session_id, () => 2);
    await out.chunk('turn-4', 1);
    await out.chunk('turn-1', 2);
    await out.chunk('turn-4', 1);
    await waitFor('every chunk', () => t.heard.length + t.bridge.stats().stale_epoch === 3);

    expect(t.heard).toEqual(['turn-1']);
    expect(t.diagnostics).toMatchObject([
      { code: 'stale_epoch_reject', turn_id: 'turn-4', received_epoch: 1, expected_epoch: 2 },
      { code: 'stale_epoch_reject', turn_id: 'turn-4', received_epoch: 1, expected_epoch: 2 },
    ]);
  });

  /**
   * Cancels a dense turn once its first chunk arrived; counts chunks by when the transport got
   * them (the threaded rig reports them later than that, so its arrival order cannot be used).
   */
  async function cancelMidStream(
    rig: Rig,
  ): Promise<{ before: number; after: number; aborted: boolean }> {
    open.push(() => rig.close());
    const chunks: number[] = [];
    let closed = false;
    let aborted = false;
    const session = await rig.open(`rt-${randomUUID().slice(0, 8)}`, {
      onChunk: (at) => chunks.push(at),
      onControl: (signal) => {
        closed ||= signal === 'close';
        aborted ||= signal === 'abort';
      },
    });
    open.push(() => session.close());
    await session.send('connection', 'connected');
    await session.send('speech_started');
    await session.send('transcript_final', 'tell me a long story');
    await waitFor('first chunk', () => chunks.length > 0);
    const cancel = await session.send('cancel');
    // Events arrive in the order the transport saw them: every chunk it passed before `close`
    // has been counted by then (and the fenced turn passes nothing after the cancel).
    await waitFor('close of the turn', () => closed);
    return {
      before: chunks.filter((at) => at <= cancel.at).length,
      after: chunks.filter((at) => at > cancel.done).length,
      aborted,
    };
  }

  it('with a real runtime, no chunk of a cancelled turn reaches the transport after the cancel call', async () => {
    const rigs = inProcessRigs(
      await connect('bridge-runtime-worker'),
      await connect('bridge-runtime-transport'),
    );
    const { before, after, aborted } = await cancelMidStream(rigs({ dense: true }));
    // The cancel landed mid-stream (the turn did not commit first), and nothing followed it.
    expect(aborted).toBe(true);
    expect(before).toBeGreaterThan(0);
    expect(after).toBe(0);
  });

  it('holds with the transport side in its own thread and connection (the NATS bench rig)', async () => {
    const rigs = threadedRigs(await connect('bridge-thread-worker'), inject('natsUrl'));
    const { before, after, aborted } = await cancelMidStream(rigs({ dense: true }));
    // The cancel landed mid-stream (the turn did not commit first), and nothing followed it.
    expect(aborted).toBe(true);
    expect(before).toBeGreaterThan(0);
    expect(after).toBe(0);
  });
});
