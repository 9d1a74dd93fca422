import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import { compileRuntimeGraph, DEFAULT_GRAPH } from '../graph/graph.ts';
import { resolveTurnStartBundle } from '../turn-start/bundle.ts';
import { DEFAULT_PROVIDER_BINDINGS } from '../turn-start/defaults.ts';
import { resolveTurnPlan } from '../turn-start/plan.ts';
import type { LlmPort, SttPort, TtsPort } from '../../contracts/index.ts';
import { availableProvidersOf, catalogueProviders } from './catalogue.ts';
import { createPipelineRegistry } from './registry.ts';
import { baseFile, compiled, issuesOf, SIMS } from './test-kit.ts';

const validator = createContractValidator();

const codes = (doc: unknown, providers = SIMS) =>
  issuesOf(doc, providers).map(({ code, pointer }) => `${code} ${pointer}`);

describe('compilePipeline (CP-03)', () => {
  it('compiles a valid file to a contract-valid GraphDefinition and the runtime graph', () => {
    const p = compiled(baseFile());
    expect(validator.validate('graph_definition', p.definition)).toEqual({ valid: true });
    expect(p.definition).toMatchObject({
      graph_definition_ref: 'graph/p-1',
      graph_compilation_snapshot: 'graph-compiler/v1',
      graph_fingerprint: 'graph-fingerprint/p-1/graph/p-1/simple',
      topological_order: ['stt', 'llm', 'tts'],
    });
    expect(p.graph.nodes.map((n) => n.provider_id)).toEqual(['stt-sim', 'llm-sim', 'tts-sim']);
    expect(p.graph.edges.map((e) => e.edge_id)).toEqual(['stt-llm', 'llm-tts']);
    expect(compileRuntimeGraph(p.graph).ok).toBe(true);
    expect(p.node_providers['stt']).toEqual(['stt-sim', 'stt-sim-b']);
  });

  it('reports a cycle at the edge that closes it, with the cycle', () => {
    const doc = baseFile();
    doc.edges.push({ from: 'tts', to: 'stt' });
    const [issue] = issuesOf(doc);
    expect(issue).toMatchObject({
      code: 'cycle',
      pointer: '/edges/2',
      expected: 'an acyclic graph',
      received: 'the cycle stt -> llm -> tts -> stt',
    });
  });

  it('reports a dangling edge at its endpoint, listing the declared nodes', () => {
    const doc = baseFile();
    doc.edges[1] = { from: 'llm', to: 'ttx' };
    expect(issuesOf(doc)).toEqual([
      expect.objectContaining({
        code: 'dangling_edge',
        pointer: '/edges/1/to',
        expected: 'a declared node id (stt, llm, tts)',
        received: '"ttx"',
      }),
    ]);
  });

  it('reports a self-edge and duplicate node and edge ids', () => {
    const doc = baseFile();
    doc.nodes.push({ node_id: 'llm', node_type: 'llm', providers: ['llm-sim'] });
    doc.edges.push({ from: 'stt', to: 'llm' }, { edge_id: 'loop', from: 'tts', to: 'tts' });
    expect(codes(doc)).toEqual([
      'duplicate_id /nodes/3/node_id',
      'duplicate_id /edges/2/edge_id',
      'self_edge /edges/3',
    ]);
  });

  it('reports an unknown node kind with the executable kinds', () => {
    const doc = baseFile();
    doc.nodes[0] = { node_id: 'stt', node_type: 'vad', providers: ['stt-sim'] };
    expect(issuesOf(doc)[0]).toMatchObject({
      code: 'unknown_node_kind',
      pointer: '/nodes/0/node_type',
      expected: 'one of stt, llm, tts',
      received: '"vad"',
    });
    doc.nodes[0] = { node_id: 'stt', node_type: 'custom' };
    expect(issuesOf(doc)[0]?.expected).toContain('custom nodes are not executable yet');
  });

  it('reports a node without providers, listing the registered ones', () => {
    const doc = baseFile();
    doc.nodes[1] = { node_id: 'llm', node_type: 'llm' };
    expect(issuesOf(doc)).toEqual([
      expect.objectContaining({
        code: 'missing_provider',
        pointer: '/nodes/1/providers',
        expected: 'at least one llm provider (registered: llm-sim, llm-sim-b)',
        received: '(absent)',
      }),
    ]);
  });

  it('tells an unregistered catalogue provider from an unknown one and a wrong modality', () => {
    const doc = baseFile();
    doc.nodes[1] = {
      node_id: 'llm',
      node_type: 'llm',
      providers: ['llm-anthropic', 'llm-nope', 'tts-sim'],
    };
    const issues = issuesOf(doc);
    expect(issues.map((i) => [i.code, i.pointer, i.received])).toEqual([
      [
        'unavailable_provider',
        '/nodes/1/providers/0',
        '"llm-anthropic" (in the spec catalogue; its adapter is not registered)',
      ],
      ['unknown_provider', '/nodes/1/providers/1', '"llm-nope"'],
      ['unknown_provider', '/nodes/1/providers/2', '"tts-sim" (a tts provider)'],
    ]);
    expect(issues[0]?.message).toBe(
      '/nodes/1/providers/0: unavailable_provider: expected a registered llm provider (registered: llm-sim, llm-sim-b), received "llm-anthropic" (in the spec catalogue; its adapter is not registered)',
    );
    // Registered, the catalogue providers pass.
    doc.nodes[1] = { node_id: 'llm', node_type: 'llm', providers: ['llm-anthropic'] };
    expect(issuesOf(doc, [...SIMS, ...catalogueProviders()])).toEqual([]);
  });

  it('refuses a fallback order RK-11 would not follow, and more than five providers', () => {
    const many = ['a', 'b', 'c', 'd', 'e', 'f'].map((s) => `llm-${s}`);
    const providers = [
      ...SIMS,
      ...many.map((provider_id) => ({ provider_id, modality: 'llm' as const })),
    ];
    const doc = baseFile();
    doc.nodes[1] = { node_id: 'llm', node_type: 'llm', providers: ['llm-c', 'llm-b', 'llm-a'] };
    expect(issuesOf(doc, providers)[0]).toMatchObject({
      code: 'provider_order',
      pointer: '/nodes/1/providers/1',
      received: '"llm-b"',
    });
    doc.nodes[1] = { node_id: 'llm', node_type: 'llm', providers: ['llm-c', 'llm-a', 'llm-b'] };
    expect(issuesOf(doc, providers)).toEqual([]);
    doc.nodes[1] = { node_id: 'llm', node_type: 'llm', providers: many };
    expect(codes(doc, providers)).toEqual(['too_many_providers /nodes/1/providers']);
  });

  it('refuses a lossy text edge unless the edge opts in', () => {
    const doc = baseFile();
    doc.edges[0] = { from: 'stt', to: 'llm', buffer: { strategy: 'drop' } };
    expect(issuesOf(doc)).toEqual([
      expect.objectContaining({
        code: 'lossy_text_edge',
        pointer: '/edges/0/buffer/strategy',
        expected:
          '"block" on a text edge (from a stt node), or "allow_lossy_text": true on the edge',
        received: '"drop"',
      }),
    ]);
    const lane = {
      strategy: 'block',
      max_block_time_ms: 50,
      lane_handling: {
        DataLane: 'latest_only',
        ControlLane: 'non_blocking_priority',
        TelemetryLane: 'drop',
      },
    };
    doc.edges[0] = { from: 'stt', to: 'llm', buffer: lane };
    expect(codes(doc)).toEqual(['lossy_text_edge /edges/0/buffer/lane_handling/DataLane']);
    doc.edges[0] = { from: 'stt', to: 'llm', buffer: { strategy: 'drop' }, allow_lossy_text: true };
    const p = compiled(doc);
    expect(p.edge_buffer_policies['stt-llm']).toMatchObject({
      strategy: 'drop',
      defaulting_source: 'explicit_edge_config',
    });
  });

  it('keeps a fallback node on standby outside the run order', () => {
    const doc = baseFile();
    doc.nodes.push({ node_id: 'llm-2', node_type: 'llm', providers: ['llm-sim-b'] });
    doc['fallback_branches'] = [{ node_id: 'llm', fallback_node_id: 'llm-2' }];
    const p = compiled(doc);
    expect(p.order).toEqual(['stt', 'llm', 'tts']);
    expect(p.definition.topological_order).toEqual(['stt', 'llm', 'tts', 'llm-2']);
    expect(p.provider_bindings).toEqual({ stt: 'stt-sim', llm: 'llm-sim', tts: 'tts-sim' });
    doc['fallback_branches'] = [{ node_id: 'llm', fallback_node_id: 'tts' }];
    expect(codes(doc)).toEqual(['invalid_fallback /fallback_branches']);
  });

  it('gives the same content the same digest and different content another', () => {
    const other = baseFile();
    other.nodes[2] = { node_id: 'tts', node_type: 'tts', providers: ['tts-sim-b'] };
    expect(compiled(baseFile()).digest).toBe(compiled(baseFile()).digest);
    expect(compiled(other).digest).not.toBe(compiled(baseFile()).digest);
  });
});

describe('availableProvidersOf', () => {
  it('lists a runtime catalogue by modality, so a file is checked against what really runs', () => {
    const port = (provider_id: string) => ({ capabilities: { provider_id } });
    const providers = availableProvidersOf({
      stt: [port('stt-a') as unknown as SttPort],
      llm: [port('llm-a') as unknown as LlmPort, port('llm-b') as unknown as LlmPort],
      tts: [port('tts-a') as unknown as TtsPort],
    });
    expect(providers).toEqual([
      { provider_id: 'stt-a', modality: 'stt' },
      { provider_id: 'llm-a', modality: 'llm' },
      { provider_id: 'llm-b', modality: 'llm' },
      { provider_id: 'tts-a', modality: 'tts' },
    ]);
    const doc = baseFile();
    doc.nodes = [{ node_id: 'llm', node_type: 'llm', providers: ['llm-a', 'llm-b'] }];
    doc.edges = [];
    expect(issuesOf(doc, providers)).toEqual([]);
    expect(issuesOf(doc, SIMS).map((i) => i.code)).toEqual([
      'unknown_provider',
      'unknown_provider',
    ]);
  });
});

describe('examples/default-voice-agent.json', () => {
  const file = new URL('../../examples/default-voice-agent.json', import.meta.url);
  const p = compiled(JSON.parse(readFileSync(file, 'utf8')), catalogueProviders());

  it('compiles to the built-in default graph, with the default providers preferred', () => {
    const fromFile = compileRuntimeGraph(p.graph);
    const builtIn = compileRuntimeGraph(DEFAULT_GRAPH);
    if (!fromFile.ok || !builtIn.ok) throw new Error('graphs must compile');
    expect(fromFile.graph.order).toEqual(builtIn.graph.order);
    expect(fromFile.graph.edges).toEqual(builtIn.graph.edges);
    expect(fromFile.graph.edge_policies).toEqual(builtIn.graph.edge_policies);
    expect(p.graph.nodes).toEqual(
      DEFAULT_GRAPH.nodes.map((n) => ({
        ...n,
        provider_id: DEFAULT_PROVIDER_BINDINGS[n.node_type as 'stt'],
      })),
    );
  });

  it('resolves the same turn-start bundle and freezes the same plan as the built-in defaults', () => {
    const registry = createPipelineRegistry();
    expect(registry.register(p).ok).toBe(true);
    const request = { session_id: 's-1', turn_id: 't-1', requested_authority_epoch: 3 };
    const fromFile = resolveTurnStartBundle(registry.snapshot('pipeline-v1'), request);
    const builtIn = resolveTurnStartBundle({}, request);
    if (!fromFile.ok || !builtIn.ok) throw new Error('bundles must resolve');
    expect(fromFile.bundle).toEqual(builtIn.bundle);
    const b = fromFile.bundle;
    const inputs = { ...b, turn_id: 't-1', authority_epoch: 3 };
    const planFromFile = resolveTurnPlan({
      ...inputs,
      edge_buffer_policies: p.edge_buffer_policies,
      ...p.plan,
    });
    const builtInGraph = compileRuntimeGraph(DEFAULT_GRAPH);
    if (!builtInGraph.ok) throw new Error('the default graph must compile');
    // What the runtime freezes today: the default graph's edge policies, simple-mode sections.
    const planBuiltIn = resolveTurnPlan({
      ...inputs,
      edge_buffer_policies: builtInGraph.graph.edge_policies,
    });
    expect(planFromFile).toEqual(planBuiltIn);
    expect(planFromFile.ok && validator.validate('resolved_turn_plan', planFromFile.plan)).toEqual({
      valid: true,
    });
  });
});
