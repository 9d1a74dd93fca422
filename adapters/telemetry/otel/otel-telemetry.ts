/**
 * OR-01 over OpenTelemetry: `turn_span` -> `node_span` -> `provider_invocation_span`, each
 * parented by explicit span contexts kept per turn (never the ambient context, which async work
 * of 50 concurrent sessions would mix up), plus the metrics `provider_rtt_ms`,
 * `cancel_latency_ms` and `drops_total` (fenced outputs, shed telemetry, and records an edge shed
 * by its `drop_notice`). Attributes are ids, states, classes and times: nothing
 * a user said or heard. Bounded: at most `max_open_turns` turns are tracked; past that the
 * oldest is ended and marked evicted.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type {
  ControlSignal,
  InvocationAttempt,
  Lane,
  RuntimeTelemetryPort,
  TelemetryDropReason,
  TelemetryNode,
  TelemetryNodeStatus,
} from '../../../contracts/index.ts';

/** Options of {@link createOtelTelemetry}. */
export type OtelTelemetryOptions = {
  readonly tracer: Tracer;
  /** Where the metrics go; without one, only spans are made. */
  readonly meter?: Meter;
  /** Turns tracked at once (default 4096). */
  readonly max_open_turns?: number;
};

/** One turn's open spans. */
type TurnSpans = {
  readonly span: Span;
  readonly nodes: Map<string, Span>;
  /** Runtime time of the cancel or barge-in that ended the turn, if one did. */
  cancel_at_ms?: number;
};

/** The metric instruments of OR-01. */
type Instruments = {
  readonly rtt: Histogram;
  readonly cancel: Histogram;
  readonly drops: Counter;
};

const DEFAULT_MAX_OPEN_TURNS = 4096;

function instrumentsOf(meter: Meter): Instruments {
  return {
    rtt: meter.createHistogram('provider_rtt_ms', {
      unit: 'ms',
      description: 'Provider attempt latency, by provider, modality and outcome class',
    }),
    cancel: meter.createHistogram('cancel_latency_ms', {
      unit: 'ms',
      description: 'Runtime time from a cancel or barge-in to the abort of its turn',
    }),
    drops: meter.createCounter('drops_total', {
      description: 'Outputs dropped before the transport, by lane and reason',
    }),
  };
}

function turnKey(session_id: string, turn_id: string): string {
  return `${session_id}\u0000${turn_id}`;
}

/** The runtime telemetry port backed by an OpenTelemetry tracer (and meter). */
export function createOtelTelemetry(options: OtelTelemetryOptions): RuntimeTelemetryPort {
  const { tracer } = options;
  const max = options.max_open_turns ?? DEFAULT_MAX_OPEN_TURNS;
  const instruments = options.meter === undefined ? undefined : instrumentsOf(options.meter);
  const turns = new Map<string, TurnSpans>();

  function openTurn(
    tenant_id: string,
    session_id: string,
    turn_id: string,
    authority_epoch: number,
    wall_ms: number,
  ): TurnSpans {
    const key = turnKey(session_id, turn_id);
    const known = turns.get(key);
    if (known !== undefined) return known;
    if (turns.size >= max) evictOldest(wall_ms);
    const span = tracer.startSpan(
      'turn_span',
      {
        kind: SpanKind.INTERNAL,
        startTime: wall_ms,
        attributes: {
          'rspp.tenant_id': tenant_id,
          'rspp.session_id': session_id,
          'rspp.turn_id': turn_id,
          'rspp.authority_epoch': authority_epoch,
        },
      },
      ROOT_CONTEXT,
    );
    const spans: TurnSpans = { span, nodes: new Map() };
    turns.set(key, spans);
    return spans;
  }

  function endTurn(key: string, spans: TurnSpans, wall_ms: number): void {
    for (const node of spans.nodes.values()) node.end(wall_ms);
    spans.span.end(wall_ms);
    turns.delete(key);
  }

  function evictOldest(wall_ms: number): void {
    const oldest = turns.entries().next().value;
    if (oldest === undefined) return;
    oldest[1].span.setAttribute('rspp.evicted', true);
    endTurn(oldest[0], oldest[1], wall_ms);
  }

  function onSignal(tenant_id: string, signal: ControlSignal): void {
    const { session_id, turn_id, authority_epoch } = signal;
    if (signal.signal === 'drop_notice' && signal.seq_range !== undefined) {
      // An edge shed these records (RK-12): one notice names a contiguous range of them.
      const { start, end } = signal.seq_range;
      instruments?.drops.add(end - start + 1, {
        'rspp.tenant_id': tenant_id,
        'rspp.lane': signal.target_lane ?? 'DataLane',
        'rspp.reason': signal.reason ?? 'queue_pressure_drop',
      });
    }
    if (session_id === undefined || turn_id === undefined) return;
    const key = turnKey(session_id, turn_id);
    const wall_ms = signal.wall_clock_timestamp_ms ?? Date.now();
    const at_ms = signal.runtime_timestamp_ms ?? 0;
    const spans = turns.get(key);
    const name = signal.signal;
    if (name === 'turn_open') {
      openTurn(tenant_id, session_id, turn_id, authority_epoch ?? 0, wall_ms);
    } else if (spans === undefined) {
      return;
    } else if (name === 'cancel' || name === 'barge_in') {
      spans.cancel_at_ms ??= at_ms;
    } else if (name === 'commit' || name === 'abort') {
      spans.span.setAttribute('rspp.terminal', name);
      if (name !== 'abort') return;
      const reason = signal.reason ?? 'unspecified';
      spans.span.setAttribute('rspp.abort_reason', reason);
      if (spans.cancel_at_ms !== undefined)
        instruments?.cancel.record(at_ms - spans.cancel_at_ms, { 'rspp.abort_reason': reason });
    } else if (name === 'close') {
      endTurn(key, spans, wall_ms);
    }
  }

  function nodeAttributes(node: TelemetryNode): Attributes {
    return {
      'rspp.session_id': node.session_id,
      'rspp.turn_id': node.turn_id,
      'rspp.authority_epoch': node.authority_epoch,
      'rspp.node_id': node.node_id,
      'rspp.node_type': node.node_type,
    };
  }

  return {
    signal: (tenant_id, signal) => onSignal(tenant_id, signal),
    nodeStarted(node) {
      // A turn's first node starts before its `turn_open` is published: the turn span opens
      // with whichever comes first.
      const spans = openTurn(
        node.tenant_id,
        node.session_id,
        node.turn_id,
        node.authority_epoch,
        node.wall_ms,
      );
      const parent = trace.setSpan(ROOT_CONTEXT, spans.span);
      const span = tracer.startSpan(
        'node_span',
        { startTime: node.wall_ms, attributes: nodeAttributes(node) },
        parent,
      );
      spans.nodes.get(node.node_id)?.end(node.wall_ms);
      spans.nodes.set(node.node_id, span);
    },
    nodeEnded(node: TelemetryNode & { readonly status: TelemetryNodeStatus }) {
      const spans = turns.get(turnKey(node.session_id, node.turn_id));
      const span = spans?.nodes.get(node.node_id);
      if (spans === undefined || span === undefined) return;
      span.setAttribute('rspp.node_status', node.status);
      if (node.status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(node.wall_ms);
      spans.nodes.delete(node.node_id);
    },
    attempt(tenant_id: string, node_id: string, attempt: InvocationAttempt) {
      const labels = {
        'rspp.provider_id': attempt.provider_id,
        'rspp.modality': attempt.modality,
        'rspp.outcome_class': attempt.outcome_class,
      };
      instruments?.rtt.record(attempt.attempt_latency_ms, labels);
      const spans = turns.get(turnKey(attempt.session_id, attempt.turn_id));
      if (spans === undefined) return;
      const parentSpan = spans.nodes.get(node_id) ?? spans.span;
      const end = attempt.wall_clock_timestamp_ms;
      const span = tracer.startSpan(
        'provider_invocation_span',
        {
          kind: SpanKind.CLIENT,
          startTime: end - attempt.attempt_latency_ms,
          attributes: {
            ...labels,
            'rspp.tenant_id': tenant_id,
            'rspp.session_id': attempt.session_id,
            'rspp.turn_id': attempt.turn_id,
            'rspp.authority_epoch': attempt.authority_epoch,
            'rspp.node_id': node_id,
            'rspp.provider_invocation_id': attempt.provider_invocation_id,
            'rspp.attempt': attempt.attempt,
            'rspp.retryable': attempt.retryable,
            'rspp.retry_decision': attempt.retry_decision,
          },
        },
        trace.setSpan(ROOT_CONTEXT, parentSpan),
      );
      if (attempt.outcome_class !== 'success' && attempt.outcome_class !== 'cancelled')
        span.setStatus({ code: SpanStatusCode.ERROR, message: attempt.outcome_class });
      span.end(end);
    },
    dropped(tenant_id: string, _session_id: string, lane: Lane, reason: TelemetryDropReason) {
      instruments?.drops.add(1, {
        'rspp.tenant_id': tenant_id,
        'rspp.lane': lane,
        'rspp.reason': reason,
      });
    },
  };
}
