/**
 * `telemetry`: what OR-01 costs. The same 200 one-turn sessions (sims on simulated time, so
 * only CPU is measured) run without a telemetry port and with the OpenTelemetry adapter batching
 * every span into an exporter that discards them, alternating, five rounds each. Reported as
 * CPU ms per turn; without a port the runtime only checks `telemetry === undefined`.
 */
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createEmbeddedBus } from '../../../adapters/bus/embedded/index.ts';
import { createOtelTelemetry } from '../../../adapters/telemetry/otel/index.ts';
import type { RuntimeTelemetryPort } from '../../../contracts/index.ts';
import { createSimTime } from '../../run/sim-time.ts';
import { transportEvent } from '../../run/script.ts';
import { buildClockedSimRuntime } from '../../worker/index.ts';
import type { Benchmark, BenchMetric } from '../benchmark.ts';

const SESSIONS = 200;
const ROUNDS = 5;

/** Counts what it is given and keeps nothing: span building is measured, not a network. */
class DiscardingExporter implements SpanExporter {
  spans = 0;
  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    this.spans += spans.length;
    done({ code: 0 });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** CPU ms per turn of `SESSIONS` one-turn sessions with `telemetry` (or none). */
async function cpuPerTurn(telemetry: RuntimeTelemetryPort | undefined): Promise<number> {
  const bus = createEmbeddedBus();
  const time = createSimTime();
  const runtime = buildClockedSimRuntime({
    bus,
    clock: time.clock,
    scheduler: time.scheduler,
    limits: { max_sessions: SESSIONS, max_active_turns: SESSIONS },
    ...(telemetry === undefined ? {} : { telemetry }),
  });
  const closed = new Set<string>();
  const start = process.cpuUsage();
  for (let i = 0; i < SESSIONS; i++) {
    const id = `tel-${String(i)}`;
    runtime.openSession({ session_id: id, tenant_id: 'bench' });
    runtime.subscribe(id, (o) => {
      if (o.kind === 'control' && o.record.signal === 'close') closed.add(id);
    });
    const step = { at_ms: 0, kind: 'transcript_final' as const, text: 'hello there' };
    runtime.feed(id, transportEvent(id, step, 1, 1));
  }
  while (closed.size < SESSIONS && time.clock.now() < 120_000)
    await time.advanceTo(time.clock.now() + 20);
  const used = process.cpuUsage(start);
  await runtime.stop();
  await bus.close();
  if (closed.size < SESSIONS) throw new Error(`only ${String(closed.size)} turns closed`);
  return (used.user + used.system) / 1000 / SESSIONS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function metric(name: string, description: string, rounds: number[]): BenchMetric {
  return {
    name,
    description,
    unit: 'ms',
    median: median(rounds),
    best: Math.min(...rounds),
    rounds,
  };
}

/** The `telemetry` benchmark. */
export const telemetryBenchmark: Benchmark = {
  name: 'telemetry',
  summary: 'OR-01 cost: CPU per turn without telemetry and with OpenTelemetry spans and metrics',
  async run() {
    const exporter = new DiscardingExporter();
    const tracerProvider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 4096 })],
    });
    const telemetry = createOtelTelemetry({
      tracer: tracerProvider.getTracer('rspp-bench'),
      meter: new MeterProvider().getMeter('rspp-bench'),
    });
    await cpuPerTurn(undefined); // warm-up: V8 compiles the turn path
    await cpuPerTurn(telemetry);
    const off: number[] = [];
    const on: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      off.push(await cpuPerTurn(undefined));
      on.push(await cpuPerTurn(telemetry));
    }
    await tracerProvider.forceFlush();
    await tracerProvider.shutdown();
    const extra = ((median(on) - median(off)) / median(off)) * 100;
    return {
      metrics: [
        metric(
          'cpu_per_turn_without_telemetry_ms',
          'CPU per one-turn session, no telemetry port',
          off,
        ),
        metric(
          'cpu_per_turn_with_otel_ms',
          'CPU per one-turn session, OpenTelemetry spans and metrics',
          on,
        ),
      ],
      notes: [
        `${String(SESSIONS)} one-turn sessions per round (sims, simulated time), ${String(ROUNDS)} alternating rounds after one warm-up round each; ${String(exporter.spans)} spans reached the discarding exporter.`,
        `OpenTelemetry adds ${extra.toFixed(1)}% CPU per turn (median of rounds); without a port the runtime only checks that none is set.`,
      ],
    };
  },
};
