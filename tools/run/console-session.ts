/**
 * Runs a console chat (ADR 0040): the console transport on the given streams, fed into one
 * session of sim providers whose graph is a single LLM node (the reply is text), the LLM
 * streaming at speaking pace so a reply's turn is live while it is shown. Time is simulated;
 * the CLI holds it to the wall clock, tests move it by hand.
 */
import type { Readable, Writable } from 'node:stream';
import type { GraphSpec, Runtime, RuntimeOutput } from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import {
  createConsoleTransport,
  type ConsoleOutput,
  type ConsoleTransport,
} from '../../adapters/transport/console/index.ts';
import { createIngressStamper, type IngressStamper } from '../../adapters/transport/core/index.ts';
import type { CompiledPipeline } from '../../actors/pipeline/compile.ts';
import type { EvidenceSinkPort } from '../../contracts/index.ts';
import { buildSimRuntime } from './session-run.ts';
import type { SimTime } from './sim-time.ts';
import type { Pacer } from './wall-pacer.ts';

/** A text chat: one LLM node, whose text is the reply. */
const CHAT_GRAPH: GraphSpec = {
  nodes: [{ node_id: 'llm', node_type: 'llm', provider_modality: 'llm' }],
  edges: [],
};
/** Speaking pace of a reply word, shared by the sim LLM and the renderer. */
const WORD_MS = 300;
const SESSION = 'console';

/** Options of {@link startConsoleSession}. */
export type ConsoleSessionOptions = {
  readonly input: Readable;
  readonly output: Writable;
  readonly tty: boolean;
  readonly seed?: number;
  readonly sink?: EvidenceSinkPort;
  readonly silence_ms?: number;
  readonly stall_ms?: number;
  /** Sees every runtime output as it happens. */
  readonly onOutput?: (output: RuntimeOutput) => void;
  /** A loaded pipeline file to run instead of the one-LLM chat graph (it has only LLM nodes). */
  readonly pipeline?: CompiledPipeline;
};

/** A started console session. */
export type ConsoleSession = {
  readonly runtime: Runtime;
  readonly time: SimTime;
  readonly transport: ConsoleTransport;
  /** Numbers and stamps the transport's records (its epoch moves with the placement's). */
  readonly stamper: IngressStamper;
  /** Closes the transport, drains the runtime (a live turn ends with one terminal) and the bus. */
  stop(): Promise<void>;
};

/** What the console shows of a runtime output, if anything. */
function consoleOutput(output: RuntimeOutput): ConsoleOutput | null {
  if (output.kind === 'control') {
    const { signal, turn_id, reason } = output.record;
    if (typeof turn_id !== 'string') return null;
    return {
      kind: 'lifecycle',
      turn_id,
      signal,
      ...(typeof reason === 'string' ? { reason } : {}),
    };
  }
  if (output.kind !== 'data' || typeof output.record.turn_id !== 'string') return null;
  const payload = output.payload;
  const text =
    typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as { text?: unknown }).text
      : undefined;
  return typeof text === 'string' ? { kind: 'text', turn_id: output.record.turn_id, text } : null;
}

/** Starts the runtime and the console transport. */
export function startConsoleSession(options: ConsoleSessionOptions): ConsoleSession {
  const bus = createEmbeddedBus();
  const { runtime, time, session } = buildSimRuntime({
    bus,
    seed: options.seed ?? 1,
    ...(options.pipeline === undefined ? { graph: CHAT_GRAPH } : { pipeline: options.pipeline }),
    sim_pacing: { llm: { chunk_count: 12, chunk_interval_ms: WORD_MS } },
    ...(options.sink === undefined ? {} : { sink: options.sink }),
  });
  runtime.openSession({ session_id: SESSION, tenant_id: 'local', authority_epoch: 1, ...session });
  // Subscribed first, so the transport's own `connected` is seen too.
  let shown: ConsoleTransport | null = null;
  runtime.subscribe(SESSION, (output) => {
    options.onOutput?.(output);
    const out = consoleOutput(output);
    if (out !== null) shown?.receive(out);
  });
  const { clock } = time;
  const stamper = createIngressStamper({ session_id: SESSION, source: 'console' });
  const transport = createConsoleTransport({
    input: options.input,
    output: options.output,
    tty: options.tty,
    stamper,
    now: () => clock.now(),
    schedule: (run, ms) => {
      const handle = clock.setTimeout(run, ms);
      return () => clock.clearTimeout(handle);
    },
    feed: (event) => runtime.feed(SESSION, event),
    word_ms: WORD_MS,
    ...(options.silence_ms === undefined ? {} : { silence_ms: options.silence_ms }),
    ...(options.stall_ms === undefined ? {} : { stall_ms: options.stall_ms }),
  });
  shown = transport;
  return {
    runtime,
    time,
    transport,
    stamper,
    async stop() {
      await time.settle();
      transport.close();
      await runtime.stop();
      await bus.close();
    },
  };
}

/** Runs a console session until its input ends, time held by `pace`. */
export async function runConsoleSession(
  options: ConsoleSessionOptions,
  pace: Pacer,
): Promise<'ended' | 'disconnected'> {
  const session = startConsoleSession(options);
  let end: 'ended' | 'disconnected' | null = null;
  void session.transport.done.then((how) => {
    end = how;
  });
  while (end === null) {
    const next = session.time.clock.now() + 10;
    await session.time.advanceTo(next);
    await pace(next);
  }
  // Let the last reply's marks settle before the drain.
  await session.time.advanceTo(session.time.clock.now() + 10);
  await session.stop();
  return end;
}
