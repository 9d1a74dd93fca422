/**
 * OR-01 through the public Runtime API: `createRuntime({ telemetry })` with the OpenTelemetry
 * adapter gives `turn_span` -> `node_span` -> `provider_invocation_span`, parented by explicit
 * span contexts even with 50 sessions speaking at once, carrying ids and no user content, plus
 * the `provider_rtt_ms`, `cancel_latency_ms` and `drops_total` metrics.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import { createSimLlm, createSimStt, createSimTts } from '../../adapters/providers/sim/index.ts';
import { createOtelTelemetry, otelTelemetryFromEnv } from '../../adapters/telemetry/otel/index.ts';
import { createContractValidator, type ControlSignal } from '../../contracts/index.ts';
import { createStageAEvidence } from '../../tools/run/evidence.ts';
import { ingressRecord } from '../../tools/run/script.ts';
import { createSimTime } from '../../tools/run/sim-time.ts';
import { openEmbedder, turnSignals } from './embedder-kit.ts';

const WORDS = 'my card number is 4111 1111';

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { exporter, tracer: provider.getTracer('rspp-test') };
}

function metering() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    meter: provider.getMeter('rspp-test'),
    /** Collects now and returns every data point of `name` as [attributes, value]. */
    points: async (name: string) => {
      await reader.forceFlush();
      const all: ResourceMetrics[] = exporter.getMetrics();
      const last = all.at(-1);
      const metric = last?.scopeMetrics
        .flatMap((s) => s.metrics)
        .find((m) => m.descriptor.name === name);
      return (metric?.dataPoints ?? []).map((p) => [p.attributes, p.value] as const);
    },
  };
}

const attr = (span: ReadableSpan, key: string) => span.attributes[key];
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('OR-01 telemetry through the runtime', () => {
  it('parents every span by ids across 50 concurrent sessions, with no user content', async () => {
    const { exporter, tracer } = tracing();
    const { meter, points } = metering();
    const time = createSimTime();
    const bus = createEmbeddedBus();
    const validator = createContractValidator();
    const scheduler = time.scheduler;
    const runtime = createRuntime({
      bus,
      clock: time.clock,
      validator,
      providers: {
        // Room for every session's call at once: this test is about parenting, not overload.
        stt: [createSimStt({ seed: 1, scheduler, max_concurrency: 64 })],
        llm: [createSimLlm({ seed: 1, scheduler, max_concurrency: 64 })],
        tts: [
          createSimTts({
            seed: 1,
            scheduler,
            max_concurrency: 64,
            chunk_count: 1,
            chunk_interval_ms: 40,
          }),
        ],
      },
      evidence: createStageAEvidence({ validator }),
      telemetry: createOtelTelemetry({ tracer, meter }),
    });
    const sessions = Array.from({ length: 50 }, (_, i) => `s${String(i)}`);
    const closes = new Set<string>();
    for (const session_id of sessions) {
      runtime.openSession({ session_id, tenant_id: 't1', authority_epoch: 1 });
      runtime.subscribe(session_id, (o) => {
        if (o.kind === 'control' && o.record.signal === 'close') closes.add(session_id);
      });
    }
    // Every session takes a turn at the same moment: their provider calls interleave.
    for (const session_id of sessions) {
      const step = { at_ms: 0, kind: 'transcript_final' as const, text: WORDS };
      runtime.feed(session_id, {
        kind: 'transcript_final',
        record: ingressRecord(session_id, step, 1, 1),
        text: WORDS,
      });
    }
    while (closes.size < sessions.length && time.clock.now() < 60_000)
      await time.advanceTo(time.clock.now() + 10);
    expect(closes.size).toBe(50);

    const spans = exporter.getFinishedSpans();
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const turns = spans.filter((s) => s.name === 'turn_span');
    expect(turns.map((s) => attr(s, 'rspp.session_id')).sort()).toEqual([...sessions].sort());
    for (const turn of turns) {
      expect(parentOf(turn)).toBeUndefined();
      expect(attr(turn, 'rspp.turn_id')).toBe('turn-1');
      expect(attr(turn, 'rspp.authority_epoch')).toBe(1);
      expect(attr(turn, 'rspp.terminal')).toBe('commit');
    }
    const nodes = spans.filter((s) => s.name === 'node_span');
    expect(nodes).toHaveLength(50 * 3);
    for (const node of nodes) {
      const turn = byId.get(parentOf(node) ?? '');
      expect(turn?.name).toBe('turn_span');
      // The parent is the turn of the same session, not whichever turn ran last.
      expect(attr(turn as ReadableSpan, 'rspp.session_id')).toBe(attr(node, 'rspp.session_id'));
      expect(node.spanContext().traceId).toBe(turn?.spanContext().traceId);
      expect(attr(node, 'rspp.node_status')).toBe('done');
    }
    const calls = spans.filter((s) => s.name === 'provider_invocation_span');
    expect(calls.length).toBeGreaterThanOrEqual(50 * 3);
    for (const call of calls) {
      const node = byId.get(parentOf(call) ?? '');
      expect(node?.name).toBe('node_span');
      expect(attr(node as ReadableSpan, 'rspp.session_id')).toBe(attr(call, 'rspp.session_id'));
      expect(attr(node as ReadableSpan, 'rspp.node_id')).toBe(attr(call, 'rspp.node_id'));
      expect(attr(call, 'rspp.outcome_class')).toBe('success');
    }
    // No span carries what the user said.
    expect(JSON.stringify(spans.map((s) => [s.name, s.attributes]))).not.toContain('4111');

    const rtt = await points('provider_rtt_ms');
    const modalities = rtt.map(([a]) => a['rspp.modality']).sort();
    expect(modalities).toEqual(['llm', 'stt', 'tts']);
    await runtime.stop();
    await bus.close();
  });

  it('marks an aborted turn and records the cancel latency', async () => {
    const { exporter, tracer } = tracing();
    const { meter, points } = metering();
    const e = await openEmbedder({ telemetry: createOtelTelemetry({ tracer, meter }) });
    e.feed('transcript_final', 'hello there');
    await e.time.advanceTo(600);
    e.feed('speech_started');
    await e.untilClosed('turn-1');
    expect(turnSignals(e.control(), 'turn-1')).toContain('abort(cancelled)');
    const turn = exporter.getFinishedSpans().find((s) => s.name === 'turn_span');
    expect(turn?.attributes['rspp.terminal']).toBe('abort');
    expect(turn?.attributes['rspp.abort_reason']).toBe('cancelled');
    const signals: ControlSignal[] = e.control().filter((s) => s.turn_id === 'turn-1');
    const bargeIn = signals.find((s) => s.signal === 'barge_in')?.runtime_timestamp_ms ?? NaN;
    const abort = signals.find((s) => s.signal === 'abort')?.runtime_timestamp_ms ?? NaN;
    const cancel = await points('cancel_latency_ms');
    expect(cancel).toHaveLength(1);
    const histogram = cancel[0]?.[1] as { sum: number; count: number };
    expect(histogram.count).toBe(1);
    expect(histogram.sum).toBe(abort - bargeIn);
    // Nodes still running at the barge-in end with the turn, marked stopped.
    const stopped = exporter
      .getFinishedSpans()
      .filter((s) => s.name === 'node_span' && s.attributes['rspp.node_status'] === 'stopped');
    expect(stopped.length).toBeGreaterThan(0);
    await e.finish();
  });

  it('exports spans over OTLP/HTTP to the configured endpoint', async () => {
    const bodies: { url: string; type: string; body: string }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({
          url: req.url ?? '',
          type: String(req.headers['content-type']),
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const otel = otelTelemetryFromEnv({
      RSPP_TELEMETRY_OTLP_HTTP_ENDPOINT: `http://127.0.0.1:${String(port)}`,
    });
    expect(otel).toBeDefined();
    const e = await openEmbedder({ ...(otel === undefined ? {} : { telemetry: otel.telemetry }) });
    e.feed('transcript_final', WORDS);
    await e.untilClosed('turn-1');
    await otel?.shutdown();
    await e.finish();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(bodies.length).toBeGreaterThan(0);
    expect(bodies.every((b) => b.url === '/v1/traces')).toBe(true);
    const all = bodies.map((b) => b.body).join('\n');
    for (const name of ['turn_span', 'node_span', 'provider_invocation_span'])
      expect(all).toContain(name);
    expect(all).not.toContain('4111');
  });
});
