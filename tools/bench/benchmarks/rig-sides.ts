/**
 * The two sides of a benchmark rig, shared by the in-process rig and the threaded one: the
 * worker side (a runtime fed from the session's ingress subscription) and the transport side
 * (a transport bridge whose outputs become {@link BridgeEvent}s).
 */
import {
  createTransportBridge,
  type FeedResult,
  type IngressKind,
  type Runtime,
  type TransportEvent,
} from '../../../actors/index.ts';
import {
  createRealScheduler,
  createZeroLatencyScheduler,
} from '../../../adapters/providers/sim/index.ts';
import type { BusPort } from '../../../contracts/index.ts';
import { INGRESS_MARKER, type BusSubscription } from '../../../contracts/internal.ts';
import { ingressRecord } from '../../run/script.ts';
import {
  buildClockedSimRuntime,
  createRealClock,
  ingressOf,
  type RealClock,
} from '../../worker/index.ts';
import { monoMs, type RigOptions, type SendTimes, type SessionHooks } from './runtime-kit.ts';
import { buildVoiceRuntime } from './voice-runtime.ts';

/** Tenant of every bench session. */
const TENANT = 'bench';
const FRAME = Buffer.alloc(640).toString('base64'); // 20 ms of 16 kHz PCM16 silence
const PCM = new Int16Array(320);
// Queues large enough that a throughput burst is measured, not shed.
const LIMITS = { DataLane: { capacity: 16_384 } } as const;

/** What the transport side saw, stamped with {@link monoMs} when it saw it. */
export type BridgeEvent = {
  readonly type: 'chunk' | 'control' | 'dropped' | 'egress';
  readonly at: number;
  /** ControlLane signal name (`control`) or diagnostic code (`dropped`). */
  readonly name?: string;
  /** The record's `runtime_sequence` (`control`). */
  readonly sequence?: number;
};

/** The worker side's runtime on `bus`, with seeded sims on real time. */
export function buildRigRuntime(
  bus: BusPort,
  options: RigOptions,
): { runtime: Runtime; clock: RealClock } {
  const clock = createRealClock();
  const max_sessions = options.max_sessions ?? 1024;
  if (options.voice !== undefined) {
    return { runtime: buildVoiceRuntime(bus, clock, options.voice, max_sessions), clock };
  }
  const runtime = buildClockedSimRuntime({
    bus,
    clock,
    scheduler: options.zeroLatency === true ? createZeroLatencyScheduler() : createRealScheduler(),
    zeroLatency: options.zeroLatency === true,
    ...(options.dense === true ? { ttsChunkIntervalMs: 2, llmChunks: 40 } : {}),
    limits: { max_sessions, audio_frames: 50 },
  });
  return { runtime, clock };
}

/** The transport event `runtime.feed` takes for one ingress record. */
function transportEvent(kind: IngressKind, record: unknown, text?: string): TransportEvent {
  return {
    kind,
    record,
    ...(text === undefined ? {} : { text }),
    ...(kind === 'audio_frame'
      ? { audio: { kind: 'audio', pcm: PCM, sample_rate_hz: 16_000, duration_ms: 20 } }
      : {}),
  };
}

/** Calls `runtime.feed` and reports its result and duration to the hooks. */
function timedFeed(
  runtime: Runtime,
  session_id: string,
  event: TransportEvent,
  hooks: SessionHooks,
): { result: FeedResult; fed_at: number } {
  const start = monoMs();
  const result = runtime.feed(session_id, event);
  const fed_at = monoMs();
  hooks.onFeed?.(event.kind, result, fed_at - start);
  return { result, fed_at };
}

/** Feeds the session's ingress (only) to the runtime, as `rspp worker` does. */
function subscribeWorkerSide(
  runtime: Runtime,
  bus: BusPort,
  session_id: string,
  hooks: SessionHooks,
): Promise<BusSubscription> {
  return bus.subscribe(
    TENANT,
    session_id,
    (e) => {
      const ingress = ingressOf(e);
      if (ingress === undefined) return;
      const kind = ingress[INGRESS_MARKER];
      const event = transportEvent(kind, e.record, ingress.text);
      const { fed_at } = timedFeed(runtime, session_id, event, hooks);
      const sent_at = (e.payload as { sent_at?: number } | undefined)?.sent_at;
      hooks.onFed?.(kind, sent_at ?? 0, fed_at);
    },
    { limits: LIMITS, direction: 'ingress' },
  );
}

/** The worker side of one open session. */
export type WorkerSide = {
  /** Publishes the session's next synthetic 20 ms egress audio frame. */
  egress(): Promise<void>;
  /** Feeds one event to the runtime directly, as an embedder does. */
  feedNow(kind: IngressKind, text?: string): FeedResult;
  /** Closes the session in the runtime and its ingress subscription. */
  close(): Promise<void>;
};

/** Opens a session in `runtime` and feeds it the session's ingress from `bus`. */
export async function openWorkerSide(
  runtime: Runtime,
  bus: BusPort,
  session_id: string,
  hooks: SessionHooks,
): Promise<WorkerSide> {
  runtime.openSession({ session_id, tenant_id: TENANT });
  const sub = await subscribeWorkerSide(runtime, bus, session_id, hooks);
  let egressed = 0;
  let fed = 0;
  return {
    egress: () => publishEgress(bus, session_id, (egressed += 1)),
    feedNow(kind, text) {
      const step = { at_ms: 0, kind, ...(text === undefined ? {} : { text }) };
      const record = ingressRecord(session_id, step, DIRECT_SEQUENCE_BASE + (fed += 1), 1);
      return timedFeed(runtime, session_id, transportEvent(kind, record, text), hooks).result;
    },
    async close() {
      await runtime.closeSession(session_id).catch(() => undefined);
      await sub.close();
    },
  };
}

/** Sequence numbers of direct feeds start here, apart from the transport's own records. */
const DIRECT_SEQUENCE_BASE = 20_000_000;

/** Sequence numbers of egress frames start here, far from the transport's own records. */
const EGRESS_SEQUENCE_BASE = 10_000_000;

/** Publishes the `n`-th synthetic 20 ms egress audio frame of a session from the worker side. */
function publishEgress(bus: BusPort, session_id: string, n: number): Promise<void> {
  const step = { at_ms: 0, kind: 'audio_frame' } as const;
  const record = ingressRecord(session_id, step, EGRESS_SEQUENCE_BASE + n, 1);
  return bus.publish({ tenant_id: TENANT, record, payload: { rspp_egress: true, pcm_b64: FRAME } });
}

/** The transport side of one session: a bridge on `bus` reporting what passes it. */
export type TransportSide = {
  send(kind: IngressKind, text?: string): Promise<SendTimes>;
  burst(kind: IngressKind, count: number): Promise<SendTimes>;
  close(): Promise<void>;
};

/** Opens the transport side of a session; `emit` gets every output and drop of its bridge. */
export async function openTransportSide(
  bus: BusPort,
  session_id: string,
  emit: (event: BridgeEvent) => void,
): Promise<TransportSide> {
  const clock = createRealClock();
  const bridge = createTransportBridge({
    bus,
    tenant_id: TENANT,
    session_id,
    clock,
    limits: LIMITS,
    onOutput: (e) => {
      const at = monoMs();
      const p = e.payload as { rspp_egress?: boolean } | undefined;
      if (p?.rspp_egress === true) emit({ type: 'egress', at });
      else if (e.record.lane === 'ControlLane') {
        const { signal, runtime_sequence: sequence = 0 } = e.record;
        emit({ type: 'control', at, name: String(signal), sequence });
      } else if (e.record.lane === 'DataLane' && typeof e.record.turn_id === 'string') {
        emit({ type: 'chunk', at });
      }
    },
    onDiagnostic: (d) => emit({ type: 'dropped', at: monoMs(), name: d.code }),
  });
  await bridge.open();
  let n = 0;
  const side: TransportSide = {
    async burst(kind, count) {
      const at = monoMs();
      for (let i = 0; i < count; i += 1) await side.send(kind);
      return { at, done: monoMs() };
    },
    async send(kind, text) {
      n += 1;
      const record = ingressRecord(
        session_id,
        { at_ms: clock.now(), kind, ...(text === undefined ? {} : { text }) },
        n,
        1,
      );
      const at = monoMs();
      // The bridge adds the ingress marker.
      const payload = {
        sent_at: at,
        ...(text === undefined ? {} : { text }),
        ...(kind === 'audio_frame' ? { pcm_b64: FRAME } : {}),
      };
      await bridge.send({ kind, record, payload });
      return { at, done: monoMs() };
    },
    async close() {
      await bridge.close();
      clock.dispose();
    },
  };
  return side;
}

/** Delivers a bridge event to the session's hooks. */
export function deliver(hooks: SessionHooks, event: BridgeEvent): void {
  switch (event.type) {
    case 'chunk':
      hooks.onChunk?.(event.at);
      return;
    case 'control':
      hooks.onControl?.(event.name ?? '', event.at, event.sequence ?? 0);
      return;
    case 'dropped':
      hooks.onDropped?.(event.name ?? '', event.at);
      return;
    case 'egress':
      hooks.onEgress?.(event.at);
  }
}
