import { describe, expect, it } from 'vitest';
import type { BusEnvelope, BusPort, ControlSignal, EventRecord } from '../../contracts/index.ts';
import type {
  BusHandler,
  BusLaneStats,
  BusSubscribeOptions,
  ControlSignalName,
} from '../../contracts/internal.ts';
import { createManualClock } from '../edges/index.ts';
import { createTransportBridge } from './bridge.ts';
import type { BridgeDiagnostic, BridgeIngress, TransportBridgeOptions } from './types.ts';

const TENANT = 'tenant-a';
const SESSION = 'sess-bridge';
const SECRET = 'SECRET-words-of-the-user';

/**
 * The bus as the bridge sees it: `deliver` hands an envelope to the subscription right now, so
 * each test decides exactly what arrives before and after a cancel.
 */
function stubBus(onPublish: (envelope: BusEnvelope) => void = () => undefined) {
  let handler: BusHandler | undefined;
  const published: BusEnvelope[] = [];
  const subscribed: (BusSubscribeOptions | undefined)[] = [];
  const lane: BusLaneStats = { queued: 0, delivered: 0, dropped: 0, duplicates: 0, rejected: 0 };
  const bus: BusPort = {
    kind: 'embedded',
    publish(envelope) {
      onPublish(envelope);
      published.push(envelope);
      return Promise.resolve();
    },
    subscribe(tenant_id, session_id, h, options) {
      handler = h;
      subscribed.push(options);
      return Promise.resolve({
        tenant_id,
        session_id,
        stats: () => ({ ControlLane: lane, DataLane: lane, TelemetryLane: lane }),
        drain: () => Promise.resolve(),
        close() {
          handler = undefined;
          return Promise.resolve();
        },
      });
    },
    onDiagnostic: () => () => undefined,
    connectionState: () => 'connected',
    drain: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const deliver = (...envelopes: BusEnvelope[]): void => {
    for (const envelope of envelopes) void handler?.(envelope);
  };
  return { bus, published, subscribed, deliver };
}

let seq = 0;
const base = (turn_id: string | undefined, epoch: number | undefined) => {
  seq += 1;
  return {
    schema_version: 'v1.0',
    event_scope: turn_id === undefined ? ('session' as const) : ('turn' as const),
    session_id: SESSION,
    ...(turn_id === undefined ? {} : { turn_id }),
    pipeline_version: 'pipeline-v1',
    event_id: `evt-${String(seq)}`,
    transport_sequence: seq,
    runtime_sequence: seq,
    runtime_timestamp_ms: seq,
    wall_clock_timestamp_ms: 1_700_000_000_000 + seq,
    ...(epoch === undefined ? {} : { authority_epoch: epoch }),
  };
};

/** A runtime output chunk of a turn carrying user-derived text (`epoch` null: none). */
function chunk(turn_id: string | undefined, epoch: number | null = 1): BusEnvelope {
  const record: EventRecord = {
    ...base(turn_id, epoch ?? undefined),
    lane: 'DataLane',
    payload_class: 'text_raw',
  };
  return { tenant_id: TENANT, record, payload: { text: SECRET } };
}

/** A runtime ControlLane signal of a turn. */
function signal(name: ControlSignalName, turn_id: string, epoch = 1): BusEnvelope {
  const record: ControlSignal = {
    ...base(turn_id, epoch),
    lane: 'ControlLane',
    payload_class: 'metadata',
    signal: name,
    emitted_by: 'RK-03',
  };
  return { tenant_id: TENANT, record };
}

/** A transport cancel, of one turn or (without `turn_id`) of whatever plays. */
function cancel(turn_id?: string): BridgeIngress {
  const record: ControlSignal = {
    ...base(turn_id, 1),
    lane: 'ControlLane',
    payload_class: 'metadata',
    signal: 'cancel',
    emitted_by: 'RK-16',
  };
  return { kind: 'cancel', record };
}

/** A transport speech event (`speech_started`, or a final transcript with the user's words). */
function speech(kind: 'speech_started' | 'transcript_final'): BridgeIngress {
  const record: EventRecord = {
    ...base(undefined, 1),
    lane: 'DataLane',
    payload_class: 'text_raw',
  };
  return kind === 'speech_started' ? { kind, record } : { kind, record, payload: { text: SECRET } };
}

async function setup(
  options: Partial<Pick<TransportBridgeOptions, 'authority' | 'maxTurns'>> & {
    onPublish?: (envelope: BusEnvelope) => void;
  } = {},
) {
  const clock = createManualClock({ startMs: 100 });
  const { bus, published, subscribed, deliver } = stubBus((e) => options.onPublish?.(e));
  const outputs: BusEnvelope[] = [];
  const diagnostics: BridgeDiagnostic[] = [];
  const bridge = createTransportBridge({
    bus,
    tenant_id: TENANT,
    session_id: SESSION,
    clock,
    ...(options.authority === undefined ? {} : { authority: options.authority }),
    ...(options.maxTurns === undefined ? {} : { maxTurns: options.maxTurns }),
    onOutput: (envelope) => outputs.push(envelope),
    onDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
  });
  await bridge.open();
  /** Turn ids of the DataLane output that reached the transport. */
  const heard = () =>
    outputs.filter((e) => e.record.lane === 'DataLane').map((e) => e.record.turn_id ?? '-');
  return { clock, bridge, published, subscribed, deliver, outputs, diagnostics, heard };
}

describe('createTransportBridge', () => {
  it('hands runtime output of every lane to the transport and skips ingress envelopes', async () => {
    const t = await setup();
    const telemetry: EventRecord = {
      ...base(undefined, 1),
      lane: 'TelemetryLane',
      payload_class: 'metadata',
    };
    t.deliver(
      signal('turn_open', 'turn-1'),
      chunk('turn-1'),
      { tenant_id: TENANT, record: telemetry },
      {
        tenant_id: TENANT,
        record: speech('speech_started').record,
        payload: { rspp_ingress: 'x' },
      },
    );
    expect(t.outputs.map((e) => e.record.lane)).toEqual([
      'ControlLane',
      'DataLane',
      'TelemetryLane',
    ]);
    expect(t.bridge.stats()).toEqual({
      accepted: 1,
      fenced_late: 0,
      stale_epoch: 0,
      refused: 0,
      turns: 1,
    });
  });

  it('takes egress only and publishes ingress in its direction, marked with its kind', async () => {
    const t = await setup();
    await t.bridge.send(speech('transcript_final'));
    expect(t.subscribed).toEqual([{ direction: 'egress' }]);
    expect(t.published).toHaveLength(1);
    expect(t.published[0]?.direction).toBe('ingress');
    expect(t.published[0]?.payload).toEqual({ text: SECRET, rspp_ingress: 'transcript_final' });
  });

  it('fences a turn before publishing its cancel; its late chunks are dropped, counted and reported', async () => {
    const fencedAtPublish: boolean[] = [];
    const t = await setup({ onPublish: () => fencedAtPublish.push(t.bridge.isFenced('turn-1')) });
    t.deliver(chunk('turn-1'), chunk('turn-1'));
    t.clock.advance(150);
    const sent = t.bridge.send(cancel('turn-1'));
    // The fence holds while the cancel is still on its way to the worker.
    expect(t.bridge.isFenced('turn-1')).toBe(true);
    t.deliver(chunk('turn-1'));
    await sent;
    t.deliver(chunk('turn-1'));
    expect(fencedAtPublish).toEqual([true]);
    expect(t.heard()).toEqual(['turn-1', 'turn-1']);
    expect(t.bridge.stats()).toMatchObject({ accepted: 2, fenced_late: 2 });
    expect(t.diagnostics).toHaveLength(2);
    expect(t.diagnostics[0]).toEqual({
      code: 'late_after_cancel',
      session_id: SESSION,
      turn_id: 'turn-1',
      event_id: expect.stringMatching(/^evt-/),
      at_ms: 250,
      fence_cause: 'cancel',
    });
  });

  it('leaves other turns alone when a cancel names a turn', async () => {
    const t = await setup();
    t.deliver(chunk('turn-1'), chunk('turn-2'));
    await t.bridge.send(cancel('turn-1'));
    t.deliver(chunk('turn-1'), chunk('turn-2'), chunk('turn-2'));
    expect(t.heard()).toEqual(['turn-1', 'turn-2', 'turn-2', 'turn-2']);
    expect(t.bridge.isFenced('turn-2')).toBe(false);
    expect(t.bridge.stats()).toMatchObject({ accepted: 4, fenced_late: 1 });
  });

  it('fences every remembered turn on a cancel without a turn id, a closed one included', async () => {
    const t = await setup();
    t.deliver(chunk('turn-1'), signal('close', 'turn-1'), signal('turn_open', 'turn-2'));
    await t.bridge.send(cancel());
    // turn-1's close overtook its last chunk (ControlLane is delivered first).
    t.deliver(chunk('turn-1'), chunk('turn-2'), chunk('turn-3'));
    expect(t.heard()).toEqual(['turn-1', 'turn-3']);
    expect(t.diagnostics.map((d) => d.turn_id)).toEqual(['turn-1', 'turn-2']);
  });

  it('fences a playing turn on a barge-in and leaves a turn that has not played to the worker', async () => {
    const t = await setup();
    t.deliver(chunk('turn-1'), signal('turn_open', 'turn-2'));
    await t.bridge.send(speech('speech_started'));
    t.deliver(chunk('turn-1'), chunk('turn-2'));
    expect(t.heard()).toEqual(['turn-1', 'turn-2']);
    expect(t.diagnostics).toMatchObject([
      { code: 'late_after_cancel', turn_id: 'turn-1', fence_cause: 'barge_in' },
    ]);
  });

  it('treats a final transcript during playback as a barge-in, like the worker', async () => {
    const t = await setup();
    t.deliver(chunk('turn-1'));
    await t.bridge.send(speech('transcript_final'));
    expect(t.bridge.isFenced('turn-1')).toBe(true);
  });

  it('drops DataLane output older than the authority epoch and passes its control records', async () => {
    const view: { epoch?: number } = {};
    const t = await setup({ authority: () => view.epoch });
    t.deliver(chunk('turn-1', 1));
    view.epoch = 2;
    t.deliver(chunk('turn-1', 1), signal('close', 'turn-1', 1), chunk('turn-1', 2));
    // A newer epoch than the gateway's view is a placement the view has not caught up with.
    t.deliver(chunk('turn-2', 3), chunk('turn-3', null));
    expect(t.heard()).toEqual(['turn-1', 'turn-1', 'turn-2']);
    expect(t.outputs.some((e) => e.record.signal === 'close')).toBe(true);
    expect(t.bridge.stats()).toMatchObject({ accepted: 3, stale_epoch: 2 });
    expect(t.diagnostics).toMatchObject([
      { code: 'stale_epoch_reject', turn_id: 'turn-1', received_epoch: 1, expected_epoch: 2 },
      { code: 'stale_epoch_reject', turn_id: 'turn-3', received_epoch: null, expected_epoch: 2 },
    ]);
  });

  it("hands the recovered abort and close of a dead placement's turn to the transport (issue 10 item 2)", async () => {
    const view: { epoch?: number } = { epoch: 1 };
    const t = await setup({ authority: () => view.epoch, maxTurns: 2 });
    t.deliver(signal('turn_open', 'turn-1-e1', 1), chunk('turn-1-e1', 1));
    view.epoch = 2;
    // Stamped at the old turn's epoch by whoever closes it after the old worker died.
    t.deliver(signal('abort', 'turn-1-e1', 1), signal('close', 'turn-1-e1', 1));
    expect(t.outputs.map((e) => e.record.signal ?? 'chunk')).toEqual([
      'turn_open',
      'chunk',
      'abort',
      'close',
    ]);
    // The old turn is remembered as closed, so it is the one forgotten first.
    t.deliver(chunk('turn-1-e2', 2), chunk('turn-2-e2', 2));
    await t.bridge.send(cancel());
    expect(['turn-1-e2', 'turn-2-e2'].map((id) => t.bridge.isFenced(id))).toEqual([true, true]);
    expect(t.bridge.stats().turns).toBe(2);
  });

  it("keeps a new placement's turn apart from the old placement's turn of the same id", async () => {
    const t = await setup();
    t.deliver(chunk('turn-1', 1));
    await t.bridge.send(cancel('turn-1'));
    t.deliver(chunk('turn-1', 1), chunk('turn-1', 2));
    expect(t.bridge.stats()).toMatchObject({ accepted: 2, fenced_late: 1, turns: 2 });
  });

  it('remembers a turn it has not seen yet when a cancel names it', async () => {
    const t = await setup();
    await t.bridge.send(cancel('turn-7'));
    expect(t.bridge.isFenced('turn-7')).toBe(true);
    t.deliver(chunk('turn-7'), chunk('turn-7'));
    expect(t.heard()).toEqual([]);
    expect(t.bridge.stats()).toMatchObject({ fenced_late: 2, turns: 1 });
  });

  it('fences nothing on a cancel without a turn id before any output (the worker fence covers it)', async () => {
    const t = await setup();
    await t.bridge.send(cancel());
    t.deliver(chunk('turn-1'));
    expect(t.heard()).toEqual(['turn-1']);
    expect(t.published.map((e) => e.record.signal)).toEqual(['cancel']);
  });

  it('remembers at most maxTurns turns and forgets a closed one first', async () => {
    const t = await setup({ maxTurns: 3 });
    t.deliver(chunk('turn-1'), chunk('turn-2'), chunk('turn-3'), signal('close', 'turn-2'));
    t.deliver(chunk('turn-4'));
    expect(t.bridge.stats().turns).toBe(3);
    await t.bridge.send(cancel());
    const fenced = ['turn-1', 'turn-2', 'turn-3', 'turn-4'].map((id) => t.bridge.isFenced(id));
    expect(fenced).toEqual([true, false, true, true]);
    // Nothing closed: the oldest goes.
    t.deliver(chunk('turn-5'));
    expect(t.bridge.isFenced('turn-1')).toBe(false);
    for (let n = 6; n < 200; n++) t.deliver(chunk(`turn-${String(n)}`));
    expect(t.bridge.stats().turns).toBe(3);
  });

  it('refuses a bound below one turn at creation', () => {
    const clock = createManualClock();
    const { bus } = stubBus();
    const create = () =>
      createTransportBridge({
        bus,
        tenant_id: TENANT,
        session_id: SESSION,
        clock,
        maxTurns: 0,
        onOutput: () => undefined,
        onDiagnostic: () => undefined,
      });
    expect(create).toThrow(/maxTurns: expected an integer >= 1, received 0/);
  });

  it('reports ids, codes and epochs in diagnostics, never content', async () => {
    const view: { epoch?: number } = {};
    const t = await setup({ authority: () => view.epoch });
    t.deliver(chunk('turn-1'));
    await t.bridge.send(speech('transcript_final'));
    t.deliver(chunk('turn-1'));
    view.epoch = 2;
    t.deliver(chunk('turn-2', 1));
    expect(t.diagnostics.map((d) => d.code)).toEqual(['late_after_cancel', 'stale_epoch_reject']);
    const allowed = [
      'code',
      'session_id',
      'turn_id',
      'event_id',
      'at_ms',
      'fence_cause',
      'received_epoch',
      'expected_epoch',
    ];
    for (const diagnostic of t.diagnostics) {
      expect(Object.keys(diagnostic).filter((key) => !allowed.includes(key))).toEqual([]);
    }
    expect(JSON.stringify(t.diagnostics)).not.toContain(SECRET);
  });

  it('stops handing output to the transport once closed', async () => {
    const t = await setup();
    t.deliver(chunk('turn-1'));
    await t.bridge.close();
    t.deliver(chunk('turn-1'));
    expect(t.outputs).toHaveLength(1);
  });
});
