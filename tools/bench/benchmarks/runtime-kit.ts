/**
 * The rig of the runtime benchmarks: one Runtime on a worker-side bus connection, and a
 * transport side that is the transport gateway's session bridge (actors/bridge): it publishes
 * ingress envelopes onto the session's lane subjects and hands over the runtime's output that
 * passes its egress fence, so what the hooks see is what a transport would play. Embedded: both
 * sides share one in-process bus. NATS: two connections to a loopback server. Times are
 * `performance.now()` in this one process, so both sides share a clock.
 */
import { performance } from 'node:perf_hooks';
import {
  createTransportBridge,
  type BridgeDiagnostic,
  type IngressKind,
  type Runtime,
} from '../../../actors/index.ts';
import {
  createRealScheduler,
  createZeroLatencyScheduler,
} from '../../../adapters/providers/sim/index.ts';
import {
  INGRESS_MARKER,
  type BusEnvelope,
  type BusPort,
  type BusSubscription,
} from '../../../contracts/index.ts';
import { ingressRecord } from '../../run/script.ts';
import { buildClockedSimRuntime, createRealClock, ingressOf } from '../../worker/index.ts';
import type { BenchMetric } from '../benchmark.ts';

/** The two bus ends of a rig (the same bus when embedded). */
export type RigBuses = { readonly worker: BusPort; readonly transport: BusPort };

/** A runtime with its transport side. */
export type Rig = {
  readonly runtime: Runtime;
  readonly buses: RigBuses;
  /** Opens a session and subscribes both sides to its lanes. */
  open(session_id: string, hooks?: SessionHooks): Promise<RigSession>;
  /** Stops the runtime and the clock (the buses belong to the caller). */
  close(): Promise<void>;
};

/** Observers of one rig session (times in `performance.now()` ms). */
export type SessionHooks = {
  /** The worker side fed an ingress event; `sent_at` is when the transport published it. */
  readonly onFed?: (kind: IngressKind, sent_at: number, fed_at: number) => void;
  /** A runtime output chunk (DataLane record of a turn) passed the transport's bridge. */
  readonly onChunk?: (envelope: BusEnvelope, at: number) => void;
  /** The bridge dropped a runtime output (late after a cancel, or of a stale epoch). */
  readonly onDropped?: (diagnostic: BridgeDiagnostic, at: number) => void;
  /** The transport side received a runtime ControlLane record. */
  readonly onControl?: (signal: string, at: number) => void;
  /** The transport side received a synthetic egress frame. */
  readonly onEgress?: (at: number) => void;
};

/** One session of a rig. */
export type RigSession = {
  /**
   * Publishes one ingress event through the bridge; resolves when the bus has custody. A cancel
   * or barge-in fences the bridge before the publish.
   */
  send(kind: IngressKind, text?: string): Promise<void>;
  /** Publishes one synthetic 20 ms egress audio frame from the worker side. */
  egress(): Promise<void>;
  close(): Promise<void>;
};

const TENANT = 'bench';
const FRAME = Buffer.alloc(640).toString('base64'); // 20 ms of 16 kHz PCM16 silence
const PCM = new Int16Array(320);
// Queues large enough that a throughput burst is measured, not shed.
const LIMITS = { DataLane: { capacity: 16_384 } } as const;

/** Builds a rig; `zeroLatency` makes every sim answer at once (overhead measurements). */
export function createRig(
  buses: RigBuses,
  options: { zeroLatency?: boolean; max_sessions?: number; dense?: boolean } = {},
): Rig {
  const clock = createRealClock();
  const runtime = buildClockedSimRuntime({
    bus: buses.worker,
    clock,
    scheduler: options.zeroLatency === true ? createZeroLatencyScheduler() : createRealScheduler(),
    zeroLatency: options.zeroLatency === true,
    // Dense output: a chunk every 2 ms for 40 LLM chunks, so a cancel lands mid-stream.
    ...(options.dense === true ? { ttsChunkIntervalMs: 2, llmChunks: 40 } : {}),
    limits: { max_sessions: options.max_sessions ?? 1024, audio_frames: 50 },
  });
  return {
    runtime,
    buses,
    async open(session_id, hooks = {}) {
      runtime.openSession({ session_id, tenant_id: TENANT });
      const subs: BusSubscription[] = [];
      subs.push(
        await buses.worker.subscribe(
          TENANT,
          session_id,
          (e) => {
            const ingress = ingressOf(e);
            if (ingress === undefined) return;
            const kind = ingress[INGRESS_MARKER];
            runtime.feed(session_id, {
              kind,
              record: e.record,
              ...(ingress.text === undefined ? {} : { text: ingress.text }),
              ...(kind === 'audio_frame'
                ? { audio: { kind: 'audio', pcm: PCM, sample_rate_hz: 16_000, duration_ms: 20 } }
                : {}),
            });
            const sent_at = (e.payload as { sent_at?: number } | undefined)?.sent_at;
            hooks.onFed?.(kind, sent_at ?? 0, performance.now());
          },
          // The worker side takes ingress only, as `rspp worker` does.
          { limits: LIMITS, direction: 'ingress' },
        ),
      );
      const bridge = createTransportBridge({
        bus: buses.transport,
        tenant_id: TENANT,
        session_id,
        clock,
        limits: LIMITS,
        onOutput: (e) => {
          const at = performance.now();
          const p = e.payload as { rspp_egress?: boolean } | undefined;
          if (p?.rspp_egress === true) hooks.onEgress?.(at);
          else if (e.record.lane === 'ControlLane') hooks.onControl?.(String(e.record.signal), at);
          else if (e.record.lane === 'DataLane' && typeof e.record.turn_id === 'string') {
            hooks.onChunk?.(e, at);
          }
        },
        onDiagnostic: (d) => hooks.onDropped?.(d, performance.now()),
      });
      await bridge.open();
      let n = 0;
      const record = (kind: IngressKind, text?: string) => {
        n += 1;
        return ingressRecord(
          session_id,
          { at_ms: clock.now(), kind, ...(text === undefined ? {} : { text }) },
          n,
          1,
        );
      };
      return {
        async send(kind, text) {
          // The bridge adds the ingress marker.
          const payload = {
            sent_at: performance.now(),
            ...(text === undefined ? {} : { text }),
            ...(kind === 'audio_frame' ? { pcm_b64: FRAME } : {}),
          };
          await bridge.send({ kind, record: record(kind, text), payload });
        },
        async egress() {
          const payload = { rspp_egress: true, pcm_b64: FRAME };
          await buses.worker.publish({ tenant_id: TENANT, record: record('audio_frame'), payload });
        },
        async close() {
          await runtime.closeSession(session_id).catch(() => undefined);
          for (const sub of subs) await sub.close();
          await bridge.close();
        },
      };
    },
    async close() {
      await runtime.stop();
      clock.dispose();
    },
  };
}

/** Nearest-rank percentile of `values` (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** A single measured figure (no target of its own). */
export function figure(
  name: string,
  description: string,
  unit: string,
  value: number,
): BenchMetric {
  const rounded = Math.round(value * 1000) / 1000;
  return { name, description, unit, median: rounded, best: rounded, rounds: [rounded] };
}

/** A pass/fail gate: 1 when `ok`, target 1, so the report's result column states it. */
export function gate(name: string, description: string, ok: boolean): BenchMetric {
  return {
    name,
    description,
    unit: 'met',
    median: ok ? 1 : 0,
    best: ok ? 1 : 0,
    rounds: [ok ? 1 : 0],
    target: 1,
  };
}

/** p50/p95/p99 figures of one latency sample given in ms, reported in µs (the table rounds). */
export function latencyFigures(
  prefix: string,
  what: string,
  samples: readonly number[],
): BenchMetric[] {
  return [50, 95, 99].map((p) =>
    figure(
      `${prefix}_p${String(p)}_us`,
      `${what}, p${String(p)} over ${String(samples.length)} samples`,
      'µs',
      percentile(samples, p) * 1000,
    ),
  );
}

/** Polls `done` every 2 ms until it holds or `timeoutMs` passed; returns whether it holds. */
export async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return true;
}
