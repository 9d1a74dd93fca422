import { describe, expect, it } from 'vitest';
import { DEFAULT_GRAPH, compileRuntimeGraph, lanePriority, laneQueue } from './graph.ts';

const node = (node_id: string, node_type: 'stt' | 'llm' | 'tts' = 'llm') => ({
  node_id,
  node_type,
});
const edge = (from: string, to: string) => ({ edge_id: `${from}-${to}`, from, to });

describe('compileRuntimeGraph (RK-07)', () => {
  it('orders the default graph STT -> LLM -> TTS', () => {
    const result = compileRuntimeGraph(DEFAULT_GRAPH);
    expect(result.ok && result.graph.order).toEqual(['stt', 'llm', 'tts']);
  });

  it('breaks ties by declaration order', () => {
    const result = compileRuntimeGraph({
      nodes: [node('b'), node('a'), node('sink', 'tts')],
      edges: [edge('a', 'sink'), edge('b', 'sink')],
    });
    expect(result.ok && result.graph.order).toEqual(['b', 'a', 'sink']);
    expect(result.ok && result.graph.inbound.get('sink')?.map((e) => e.from)).toEqual(['a', 'b']);
  });

  it.each([
    ['empty_graph', { nodes: [], edges: [] }],
    ['duplicate_id', { nodes: [node('a'), node('a')], edges: [] }],
    ['unknown_endpoint', { nodes: [node('a')], edges: [edge('a', 'x')] }],
    ['self_edge', { nodes: [node('a')], edges: [edge('a', 'a')] }],
    ['cycle', { nodes: [node('a'), node('b')], edges: [edge('a', 'b'), edge('b', 'a')] }],
    [
      'unsupported_node_type',
      { nodes: [{ node_id: 'c', node_type: 'custom' as const }], edges: [] },
    ],
  ])('rejects %s', (code, spec) => {
    expect(compileRuntimeGraph(spec)).toMatchObject({ ok: false, code });
  });
});

describe('lane router (RK-06)', () => {
  it('maps (node_type, lane) to its queue', () => {
    expect(laneQueue('TTS', 'DataLane')).toBe('runtime/data/tts');
    expect(laneQueue('llm', 'ControlLane')).toBe('runtime/control/llm');
    expect(laneQueue('stt', 'TelemetryLane')).toBe('runtime/telemetry/stt');
  });

  it('puts ControlLane before DataLane before TelemetryLane', () => {
    const lanes = (['TelemetryLane', 'DataLane', 'ControlLane'] as const).slice();
    expect(lanes.sort((a, b) => lanePriority(a) - lanePriority(b))).toEqual([
      'ControlLane',
      'DataLane',
      'TelemetryLane',
    ]);
  });
});
