import { describe, expect, it } from 'vitest';
import type { ControlSignal } from '../../contracts/index.ts';
import { createManualClock } from '../edges/index.ts';
import type { GraphItem } from '../nodes/types.ts';
import { edgeBufferPolicies } from '../turn-start/edge-policies.ts';
import { SIMPLE_FLOW_CONTROL } from '../turn-start/defaults.ts';
import { Dataflow, type DataflowSinks } from './dataflow.ts';
import { compileRuntimeGraph } from './graph.ts';

const identity = {
  session_id: 's',
  pipeline_version: 'pipeline-v1',
  authority_epoch: 1,
  turn_id: 'turn-1',
};

function graph() {
  const compiled = compileRuntimeGraph({
    nodes: [
      { node_id: 'llm', node_type: 'llm' },
      { node_id: 'tts', node_type: 'tts' },
    ],
    edges: [
      {
        edge_id: 'llm-tts',
        from: 'llm',
        to: 'tts',
        buffer: {
          strategy: 'drop',
          max_queue_items: 2,
          max_queue_ms: 10_000,
          watermarks: { queue_items: { high: 2, low: 0 } },
        },
      },
    ],
  });
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.graph;
}

function setup(shedding: 'drop' | 'degrade') {
  const g = graph();
  const events: string[] = [];
  const signals: ControlSignal[] = [];
  const sinks: DataflowSinks = {
    egress: () => undefined,
    signal: (s) => {
      signals.push(s);
      events.push(`signal ${s.signal}`);
    },
    heard: (node, text) => events.push(`heard ${node} ${text}`),
    dispatch: (node) => events.push(`dispatch ${node}`),
    overflow: (node) => events.push(`overflow ${node}`),
    edgeFailed: (node) => events.push(`edge failed ${node}`),
  };
  const flow = new Dataflow({
    graph: g,
    identity,
    clock: createManualClock(),
    providers: {},
    plan: {
      edge_buffer_policies: g.edge_policies,
      flow_control: {
        ...SIMPLE_FLOW_CONTROL,
        shedding_strategy_by_lane: {
          ...SIMPLE_FLOW_CONTROL.shedding_strategy_by_lane,
          DataLane: shedding,
        },
      },
    },
    input: [{ kind: 'text', text: 'hi' }],
    history: [],
    edge_capacity: 8,
    sinks,
  });
  const llm = g.nodes.find((n) => n.node_id === 'llm');
  if (llm === undefined) throw new Error('no llm');
  return { flow, io: flow.io('llm', llm), events, signals };
}

const text = (t: string): GraphItem => ({ kind: 'text', text: t });

describe('Dataflow (RK-07 with RK-12)', () => {
  it('dispatches the source at start and a consumer at its first input item', () => {
    const t = setup('drop');
    t.flow.start();
    expect(t.events).toEqual(['dispatch llm']);
    t.io.emit(text('a'), 'pvi');
    expect(t.events).toEqual(['dispatch llm', 'dispatch tts']);
  });

  it('sheds on a lossy edge and goes on when the plan sheds DataLane by `drop`', async () => {
    const t = setup('drop');
    t.flow.start();
    for (const word of ['a', 'b', 'c']) t.io.emit(text(word), 'pvi');
    await Promise.resolve();
    expect(t.events.filter((e) => e.startsWith('signal') || e.startsWith('overflow'))).toEqual([
      'signal watermark',
      'signal flow_xoff',
      'signal drop_notice',
    ]);
  });

  it('ends the generation (overflow) after the drop_notice when the plan sheds by `degrade`', async () => {
    const t = setup('degrade');
    t.flow.start();
    for (const word of ['a', 'b', 'c']) t.io.emit(text(word), 'pvi');
    expect(t.events).not.toContain('overflow tts');
    await Promise.resolve();
    expect(t.events.at(-1)).toBe('overflow tts');
    expect(t.signals.find((s) => s.signal === 'drop_notice')).toMatchObject({
      edge_id: 'llm-tts',
      seq_range: { start: 2, end: 2 },
    });
  });

  it('stops every flow once closed: no more dispatch, signals or output', async () => {
    const t = setup('drop');
    t.flow.start();
    t.flow.close();
    expect(t.io.emit(text('late'), 'pvi')).toBeUndefined();
    await Promise.resolve();
    expect(t.events).toEqual(['dispatch llm']);
  });
});

describe('edgeBufferPolicies (CP-02 for edges)', () => {
  it('gives undeclared text edges the lossless policy and completes declared ones', () => {
    const policies = edgeBufferPolicies([
      { edge_id: 'stt-llm', text: true },
      { edge_id: 'tts-out', text: false },
      { edge_id: 'llm-tts', text: true, buffer: { strategy: 'drop', max_queue_items: 4 } },
    ]);
    expect(Object.keys(policies).sort()).toEqual(['default', 'llm-tts', 'stt-llm']);
    expect(policies['stt-llm']).toMatchObject({ strategy: 'block', max_block_time_ms: 5000 });
    expect(policies['llm-tts']).toMatchObject({
      strategy: 'drop',
      max_queue_items: 4,
      max_queue_ms: 120_000,
      lane_handling: { DataLane: 'drop' },
      defaulting_source: 'explicit_edge_config',
    });
  });
});
