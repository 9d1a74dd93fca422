/**
 * The rig of the runtime benchmarks: one Runtime on a worker-side bus connection, and a
 * transport side that is the transport gateway's session bridge (actors/bridge). The bridge
 * publishes ingress envelopes onto the session's lane subjects and hands over the runtime's
 * output that passes its egress fence, so what the hooks see is what a transport would play.
 * Embedded: both sides share one in-process bus in one thread (`rig-in-process.ts`). NATS: the
 * transport side runs in its own thread with its own connection (`rig-threaded.ts`), as a
 * gateway process would. All times are {@link monoMs}, one clock for every thread.
 */
import type { FeedResult, IngressKind, Runtime } from '../../../actors/index.ts';
import type { BenchMetric } from '../benchmark.ts';

/** Monotonic ms shared by every thread of the process (`performance.now()` is per thread). */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** How the runtime of a rig is built. */
export type RigOptions = {
  /** Every sim answers at once (overhead measurements). */
  readonly zeroLatency?: boolean;
  readonly max_sessions?: number;
  /** Dense output: a chunk every 2 ms for 40 LLM chunks, so a cancel lands mid-stream. */
  readonly dense?: boolean;
  /** Sims on a set pace instead (see `voice-runtime.ts`); takes precedence over `dense`. */
  readonly voice?: VoicePacing;
};

/** Pace and size of one sim's stream (the sims' own option names). */
export type SimPace = {
  readonly chunk_count: number;
  readonly first_chunk_ms: number;
  readonly chunk_interval_ms: number;
};

/** Sims of a voice rig: LLM words and the TTS frames (20 ms each) that speak every word. */
export type VoicePacing = {
  readonly llm: SimPace;
  /** `chunk_count` is frames per LLM word; `chunk_interval_ms` 20 is real-time speech. */
  readonly tts: SimPace;
  /** Sees every LLM delta as the LLM produced it (`index` 0 starts an attempt's stream). */
  readonly onLlmDelta?: (session_id: string, turn_id: string, index: number, text: string) => void;
};

/** Builds a rig for one scenario. */
export type RigFactory = (options?: RigOptions) => Rig;

/** A runtime with its transport side. */
export type Rig = {
  readonly runtime: Runtime;
  /** Opens a session and subscribes both sides to its lanes. */
  open(session_id: string, hooks?: SessionHooks): Promise<RigSession>;
  /** Stops the runtime, the clock and the transport side (the buses belong to the caller). */
  close(): Promise<void>;
};

/** Observers of one rig session (times in {@link monoMs}). */
export type SessionHooks = {
  /** The worker side fed an ingress event; `sent_at` is when the transport published it. */
  readonly onFed?: (kind: IngressKind, sent_at: number, fed_at: number) => void;
  /** What one `runtime.feed` call on the worker side returned, and how long it took (ms). */
  readonly onFeed?: (kind: IngressKind, result: FeedResult, call_ms: number) => void;
  /** A runtime output chunk (DataLane record of a turn) passed the transport's bridge. */
  readonly onChunk?: (at: number) => void;
  /** The bridge dropped a runtime output (late after a cancel, or of a stale epoch). */
  readonly onDropped?: (code: string, at: number) => void;
  /** The transport side received a runtime ControlLane record (with its `runtime_sequence`). */
  readonly onControl?: (signal: string, at: number, sequence: number) => void;
  /** The transport side received a synthetic egress frame. */
  readonly onEgress?: (at: number) => void;
};

/** When a send started (just before the bridge) and when the bus had custody of it. */
export type SendTimes = { readonly at: number; readonly done: number };

/** One session of a rig. */
export type RigSession = {
  /**
   * Publishes one ingress event through the bridge; resolves when the bus has custody. A cancel
   * or barge-in fences the bridge before the publish.
   */
  send(kind: IngressKind, text?: string): Promise<SendTimes>;
  /** Sends `count` events of `kind` back to back on the transport side; times of the whole run. */
  burst(kind: IngressKind, count: number): Promise<SendTimes>;
  /** Publishes one synthetic 20 ms egress audio frame from the worker side. */
  egress(): Promise<void>;
  /** Calls `runtime.feed` on the worker side now, bypassing the bus (an embedder's feed). */
  feedNow(kind: IngressKind, text?: string): FeedResult;
  close(): Promise<void>;
};

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

/** Connects `session` and starts a turn: the user spoke, then their final transcript went out. */
export async function startTurn(session: RigSession, text: string): Promise<void> {
  await session.send('connection', 'connected');
  await session.send('speech_started');
  await session.send('transcript_final', text);
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

/**
 * Waits until `count` has not changed for `quietMs` and `done` holds, or `timeoutMs` passed;
 * returns whether it settled.
 */
export async function untilQuiet(
  count: () => number,
  done: () => boolean,
  quietMs: number,
  timeoutMs: number,
): Promise<boolean> {
  let last = count();
  let since = performance.now();
  return until(() => {
    const now = count();
    if (now !== last) {
      last = now;
      since = performance.now();
    }
    return done() && performance.now() - since >= quietMs;
  }, timeoutMs);
}
