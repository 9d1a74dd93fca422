import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { ControlSignal } from '../../../contracts/index.ts';
import { createOtelTelemetry } from './otel-telemetry.ts';

function setup(max_open_turns?: number) {
  const spans = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans)],
  }).getTracer('t');
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metrics,
    exportIntervalMillis: 3_600_000,
  });
  const meter = new MeterProvider({ readers: [reader] }).getMeter('t');
  const telemetry = createOtelTelemetry({
    tracer,
    meter,
    ...(max_open_turns === undefined ? {} : { max_open_turns }),
  });
  const points = async (name: string) => {
    await reader.forceFlush();
    const metric = metrics
      .getMetrics()
      .at(-1)
      ?.scopeMetrics.flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === name);
    return (metric?.dataPoints ?? []).map((p) => [p.attributes, p.value] as const);
  };
  return { telemetry, spans, points };
}

const signal = (name: string, turn_id: string, extra: Partial<ControlSignal> = {}) =>
  ({
    schema_version: 'v1.0',
    event_scope: 'turn',
    session_id: 's1',
    turn_id,
    pipeline_version: 'p',
    event_id: `e-${name}-${turn_id}`,
    lane: 'ControlLane',
    transport_sequence: 1,
    runtime_sequence: 1,
    runtime_timestamp_ms: 10,
    wall_clock_timestamp_ms: 1_700_000_000_000,
    authority_epoch: 2,
    payload_class: 'metadata',
    signal: name,
    emitted_by: 'RK-03',
    ...extra,
  }) as ControlSignal;

const node = (turn_id: string, node_id: string) => ({
  tenant_id: 't',
  session_id: 's1',
  turn_id,
  authority_epoch: 2,
  node_id,
  node_type: 'llm',
  wall_ms: 1_700_000_000_000,
});

describe('the OpenTelemetry adapter', () => {
  it('counts the records a drop_notice names, by lane and reason', async () => {
    const { telemetry, points } = setup();
    telemetry.signal(
      't',
      signal('drop_notice', 'turn-1', {
        emitted_by: 'RK-12',
        reason: 'queue_pressure_drop',
        target_lane: 'DataLane',
        seq_range: { start: 3, end: 7 },
      }),
    );
    telemetry.dropped('t', 's1', 'DataLane', 'fenced');
    const drops = await points('drops_total');
    const byReason = Object.fromEntries(drops.map(([a, v]) => [String(a['rspp.reason']), v]));
    expect(byReason).toEqual({ queue_pressure_drop: 5, fenced: 1 });
  });

  it('keeps at most max_open_turns turns, ending the oldest as evicted', () => {
    const { telemetry, spans } = setup(2);
    for (const turn of ['turn-1', 'turn-2', 'turn-3'])
      telemetry.signal('t', signal('turn_open', turn));
    const ended = spans.getFinishedSpans();
    expect(ended.map((s) => [s.attributes['rspp.turn_id'], s.attributes['rspp.evicted']])).toEqual([
      ['turn-1', true],
    ]);
  });

  it('marks a failed node span as an error and ends open nodes with their turn', () => {
    const { telemetry, spans } = setup();
    telemetry.nodeStarted(node('turn-1', 'llm'));
    telemetry.nodeStarted(node('turn-1', 'tts'));
    telemetry.nodeEnded({ ...node('turn-1', 'llm'), status: 'failed' });
    telemetry.signal('t', signal('abort', 'turn-1', { reason: 'provider_failure' }));
    telemetry.signal('t', signal('close', 'turn-1'));
    const byName = spans
      .getFinishedSpans()
      .map((s) => [
        s.name,
        s.attributes['rspp.node_id'] ?? s.attributes['rspp.abort_reason'],
        s.status.code,
      ]);
    expect(byName).toEqual([
      ['node_span', 'llm', 2],
      ['node_span', 'tts', 0],
      ['turn_span', 'provider_failure', 0],
    ]);
  });

  it('records the latency of an attempt whose turn it does not know, without a span', async () => {
    const { telemetry, spans, points } = setup();
    telemetry.attempt('t', 'stt', {
      session_id: 's1',
      turn_id: 'turn-9',
      pipeline_version: 'p',
      event_id: 'e',
      provider_invocation_id: 'pvi',
      modality: 'stt',
      provider_id: 'stt-a',
      attempt: 1,
      outcome_class: 'timeout',
      retryable: true,
      retry_decision: 'retry',
      attempt_latency_ms: 42,
      transport_sequence: 1,
      runtime_sequence: 1,
      authority_epoch: 2,
      runtime_timestamp_ms: 50,
      wall_clock_timestamp_ms: 1_700_000_000_050,
    });
    expect(spans.getFinishedSpans()).toHaveLength(0);
    const rtt = await points('provider_rtt_ms');
    expect(rtt).toHaveLength(1);
    expect(rtt[0]?.[0]).toEqual({
      'rspp.provider_id': 'stt-a',
      'rspp.modality': 'stt',
      'rspp.outcome_class': 'timeout',
    });
    expect((rtt[0]?.[1] as { sum: number }).sum).toBe(42);
  });
});
