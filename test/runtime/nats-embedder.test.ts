/**
 * Issue 9, the items that involve the bus, over NATS (the harness's nats-server on loopback):
 * the embedder sessions of embedder.test.ts with a NATS bus in place of the embedded one. Every
 * test publishes under its own session id, because JetStream dedupes message ids stream-wide.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Msg } from '@nats-io/transport-node';
import { describe, expect, inject, it } from 'vitest';
import { BINARY_LENGTH_HEADER, createNatsBus } from '../../adapters/bus/nats/index.ts';
import type {
  BusEnvelope,
  BusPort,
  ControlSignal,
  EventRecord,
  Lane,
} from '../../contracts/index.ts';
import { laneSubject } from '../../contracts/internal.ts';
import { checkTurnInvariants } from '../../machines/invariants.ts';
import {
  openEmbedder,
  SIM_AUDIO_FRAME,
  turnSignals,
  type EmbedderSession,
} from './embedder-kit.ts';
import { machineOutputs } from './kit.ts';

const RUN = randomUUID().slice(0, 8);

/** A session id no other test (or earlier run within the duplicate window) publishes under. */
const sessionId = (name: string): string => `nats-embedder-${RUN}-${name}`;

/** A NATS bus on the harness's server; the test closes it. */
const natsBus = (name: string) =>
  createNatsBus({ servers: inject('natsUrl'), name: `nats-embedder-${name}` });

/** The records the bus delivered on one lane, in delivery order. */
const onLane = (delivered: readonly BusEnvelope[], lane: Lane): EventRecord[] =>
  delivered.filter((d) => d.record.lane === lane).map((d) => d.record);

/** The turns the session opened, in order. */
const openedTurns = (control: readonly ControlSignal[]): string[] =>
  control.filter((s) => s.signal === 'turn_open').map((s) => String(s.turn_id));

/**
 * The checks of item 1: every opened turn has one terminal and ends with `close`, the turn
 * invariants hold, and the bus delivered exactly the ControlLane that `subscribe()` got, in
 * order, with gapless sequences.
 */
function expectLosslessControl(e: EmbedderSession): void {
  const control = e.control();
  const opened = openedTurns(control);
  expect(opened.length).toBeGreaterThan(0);
  for (const turn of opened) {
    const signals = turnSignals(control, turn);
    expect(signals.filter((s) => s === 'commit' || s.startsWith('abort('))).toHaveLength(1);
    expect(signals.at(-1)).toBe('close');
  }
  expect(checkTurnInvariants(machineOutputs(e.outputs), { complete: true })).toEqual([]);
  const onBus = onLane(e.delivered, 'ControlLane');
  expect(onBus.map((r) => r.event_id)).toEqual(control.map((r) => r.event_id));
  expect(onBus.map((r) => r.runtime_sequence)).toEqual(onBus.map((_, i) => i + 1));
  expect(e.outputs.filter((o) => o.kind === 'diagnostic')).toEqual([]);
}

describe('issue 9, item 1 over NATS: ControlLane is never dropped', () => {
  it('1,000 turn-changing feeds in one tick: every opened turn opens, ends and closes on subscribe() and the bus, gapless', async () => {
    const bus = await natsBus('item-1');
    try {
      const e = await openEmbedder({
        bus,
        session_id: sessionId('item-1'),
        limits: { outbox_capacity: 16 },
      });
      const results = [];
      for (let i = 0; i < 1000; i += 1)
        results.push(e.feed(i % 2 === 0 ? 'transcript_final' : 'cancel', `words ${String(i)}`));
      expect(results.every((r) => r.accepted || r.rejection.code === 'saturated')).toBe(true);
      await e.time.advanceTo(e.time.clock.now() + 20_000);
      // finish() stops the runtime (its outbox drains into JetStream) and waits for delivery.
      await e.finish();
      expectLosslessControl(e);
    } finally {
      await bus.close();
    }
  });

  it('1,000 turn-changing feeds one per tick, faster than JetStream acknowledges: accepted or refused as saturated, never dropped', async () => {
    // Simulated time runs far ahead of the real acknowledgements, so the 16-signal backlog
    // fills while turns open and end every millisecond.
    const bus = await natsBus('item-1-ticks');
    try {
      const e = await openEmbedder({
        bus,
        session_id: sessionId('item-1-ticks'),
        limits: { outbox_capacity: 16 },
      });
      const results = [];
      for (let i = 0; i < 1000; i += 1) {
        results.push(e.feed(i % 2 === 0 ? 'transcript_final' : 'cancel', `words ${String(i)}`));
        await e.time.advanceTo(e.time.clock.now() + 1);
      }
      expect(results.every((r) => r.accepted || r.rejection.code === 'saturated')).toBe(true);
      await e.time.advanceTo(e.time.clock.now() + 20_000);
      await e.finish();
      expectLosslessControl(e);
    } finally {
      await bus.close();
    }
  });
});

describe('issue 9, item 4 over NATS: audio outputs carry their PCM', () => {
  it('delivers each frame with its samples to subscribe() and its bytes raw after the JSON on NATS', async () => {
    const bus = await natsBus('item-4');
    const session_id = sessionId('item-4');
    // A plain NATS client on the session's DataLane subject sees the messages as they travel.
    const raw = await connect({ servers: inject('natsUrl'), name: 'nats-embedder-item-4-raw' });
    try {
      const onWire: Msg[] = [];
      raw.subscribe(laneSubject('t1', session_id, 'DataLane'), {
        callback: (_error, msg) => void onWire.push(msg),
      });
      await raw.flush();
      const e = await openEmbedder({ bus, session_id });
      e.feed('transcript_final', 'hello there');
      await e.untilClosed('turn-1');
      await e.finish();
      // Everything the bus subscriber got was routed to `raw` before this round trip returns.
      await raw.flush();
      const frames = e.outputs.flatMap((o) => (o.kind === 'data' ? [o] : []));
      expect(frames.length).toBeGreaterThan(0);
      expect(onWire).toHaveLength(frames.length);
      const wire = new Map(
        onWire.map((msg) => {
          const count = Number(msg.headers?.get(BINARY_LENGTH_HEADER));
          const split = msg.data.length - count;
          const json = Buffer.from(msg.data.subarray(0, split)).toString('utf8');
          const parsed = JSON.parse(json) as { record: EventRecord };
          const bytes = Buffer.from(msg.data.subarray(split));
          return [String(parsed.record.event_id), { count, json, parsed, bytes }];
        }),
      );
      for (const frame of frames) {
        expect(frame.payload).toEqual(SIM_AUDIO_FRAME);
        expect(frame.pcm).toBeInstanceOf(Int16Array);
        expect(frame.pcm).toHaveLength(320);
        expect(frame.pcm?.some((s) => s !== 0)).toBe(true);
        const pcm = frame.pcm ?? new Int16Array(0);
        const pcmBytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
        // What the bus subscriber got: the format fields and the samples as bytes.
        const onBus = e.delivered.find((d) => d.record.event_id === frame.record.event_id);
        expect(onBus?.payload).toEqual(frame.payload);
        expect(onBus?.binary).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(onBus?.binary ?? new Uint8Array(0))).toEqual(pcmBytes);
        // What travelled: the JSON, then the 640 bytes verbatim, counted in the header.
        const sent = wire.get(String(frame.record.event_id));
        expect(sent?.count).toBe(640);
        expect(sent?.parsed).toMatchObject({ payload: frame.payload });
        expect(sent?.bytes).toEqual(pcmBytes);
        expect(sent?.json).not.toContain('"binary"');
        expect(sent?.json).not.toContain(pcmBytes.toString('base64').slice(0, 32));
      }
    } finally {
      await raw.close();
      await bus.close();
    }
  });
});

/**
 * A bus that records every publish in call order (all lanes) and the most ControlLane publishes
 * handed to it and not yet settled at once.
 */
function observedBus(bus: BusPort) {
  let inFlight = 0;
  const seen = { maxControlInFlight: 0, handed: [] as EventRecord[] };
  const observed: BusPort = {
    kind: bus.kind,
    publish(envelope) {
      seen.handed.push(envelope.record);
      if (envelope.record.lane !== 'ControlLane') return bus.publish(envelope);
      inFlight += 1;
      seen.maxControlInFlight = Math.max(seen.maxControlInFlight, inFlight);
      return bus.publish(envelope).finally(() => {
        inFlight -= 1;
      });
    },
    subscribe: (tenantId, id, handler, options) => bus.subscribe(tenantId, id, handler, options),
    onDiagnostic: (listener) => bus.onDiagnostic(listener),
    connectionState: () => bus.connectionState(),
    drain: () => bus.drain(),
    close: () => bus.close(),
  };
  return { bus: observed, seen };
}

describe('issue 9, item 8 over NATS: delivery signals per turn, pipelined ControlLane', () => {
  it('announces each turn once on its first chunk, before its commit and close, in order and gapless on the bus', async () => {
    const nats = await natsBus('item-8');
    const { bus, seen } = observedBus(nats);
    try {
      const e = await openEmbedder({
        bus,
        session_id: sessionId('item-8'),
        llm: [{ chunk_count: 6 }],
      });
      for (const [i, words] of ['hello there', 'and again', 'once more'].entries()) {
        e.feed('transcript_final', words);
        await e.untilClosed(`turn-${String(i + 1)}`);
      }
      await e.finish();
      const control = e.control();
      const turns = openedTurns(control);
      expect(turns).toEqual(['turn-1', 'turn-2', 'turn-3']);
      // The bus delivered the ControlLane as subscribe() got it: same records, order, no gap.
      const controlOnBus = onLane(e.delivered, 'ControlLane');
      expect(controlOnBus.map((r) => r.event_id)).toEqual(control.map((r) => r.event_id));
      expect(controlOnBus.map((r) => r.runtime_sequence)).toEqual(
        controlOnBus.map((_, i) => i + 1),
      );
      const dataOnBus = onLane(e.delivered, 'DataLane');
      for (const turn of turns) {
        const signals = controlOnBus.filter((r) => r.turn_id === turn).map((r) => r.signal);
        expect(signals.filter((s) => s === 'output_accepted')).toHaveLength(1);
        expect(signals.filter((s) => s === 'commit')).toHaveLength(1);
        expect(signals.indexOf('output_accepted')).toBeLessThan(signals.indexOf('commit'));
        expect(signals.indexOf('commit')).toBeLessThan(signals.indexOf('close'));
        expect(signals.at(-1)).toBe('close');
        // Announced on the turn's first accepted chunk: the next output subscribe() got.
        const chunks = e.outputs.flatMap((o) =>
          o.kind === 'data' && o.record.turn_id === turn ? [o.record] : [],
        );
        const first = e.outputs.findIndex((o) => o.kind === 'data' && o.record.turn_id === turn);
        expect(e.outputs[first + 1]).toMatchObject({
          kind: 'control',
          record: { signal: 'output_accepted', turn_id: turn },
        });
        // Several chunks, one announcement: delivery signals are per turn, not per chunk.
        expect(chunks.length).toBeGreaterThan(1);
        // The bus delivered every chunk of the turn, in order.
        expect(dataOnBus.filter((r) => r.turn_id === turn).map((r) => r.event_id)).toEqual(
          chunks.map((r) => r.event_id),
        );
        // The runtime handed the turn's last chunk to the bus before its close.
        const lastChunk = seen.handed.findIndex((r) => r.event_id === chunks.at(-1)?.event_id);
        const close = seen.handed.findIndex((r) => r.turn_id === turn && r.signal === 'close');
        expect(lastChunk).toBeGreaterThanOrEqual(0);
        expect(lastChunk).toBeLessThan(close);
      }
      // Pipelined: signals were handed to NATS while earlier ones awaited their acknowledgement.
      expect(seen.maxControlInFlight).toBeGreaterThan(1);
    } finally {
      await nats.close();
    }
  });
});

describe('issue 9, item 6 over NATS: every turn-scoped record names its turn', () => {
  it('carries turn_id on every turn-scoped ControlLane record and every DataLane record on the bus', async () => {
    const bus = await natsBus('item-6');
    try {
      const e = await openEmbedder({ bus, session_id: sessionId('item-6') });
      e.feed('transcript_final', 'hello there');
      await e.untilClosed('turn-1');
      e.feed('transcript_final', 'and again');
      await e.time.advanceTo(e.time.clock.now() + 600);
      e.feed('cancel');
      await e.untilClosed('turn-2');
      await e.finish();
      const control = onLane(e.delivered, 'ControlLane');
      expect(turnSignals(e.control(), 'turn-2').at(-2)).toBe('abort(cancelled)');
      const scoped = control.filter((r) => r.event_scope === 'turn');
      expect(new Set(scoped.map((r) => r.turn_id))).toEqual(new Set(['turn-1', 'turn-2']));
      const data = onLane(e.delivered, 'DataLane');
      expect(data.length).toBeGreaterThan(0);
      expect(data.filter((r) => r.turn_id !== 'turn-1' && r.turn_id !== 'turn-2')).toEqual([]);
      expect(control.find((s) => s.signal === 'turn_open_proposed')).toMatchObject({
        event_scope: 'session',
        turn_id: 'turn-1',
        causal_parent_id: e.ingressIds[0],
      });
    } finally {
      await bus.close();
    }
  });
});
