/**
 * CP-03 graph compiler for pipeline files: turns a normalized pipeline into the GraphDefinition
 * contract artifact and the graph a runtime runs (`RuntimeOptions.graph`), with the CP sections
 * its turns read. Refuses unknown node kinds, duplicate ids, dangling edges, self-edges, cycles,
 * missing, unknown or unregistered providers, and lossy text edges without an explicit opt-in;
 * every issue names the pointer in the file. Pure: the available providers are passed in.
 */
import type { AdaptiveAction, GraphDefinition, PipelineNode } from '../../contracts/internal.ts';
import type { SessionPolicies } from '../../machines/index.ts';
import { compileRuntimeGraph, type GraphSpec } from '../graph/graph.ts';
import { sha256Hex } from '../identity/ids.ts';
import { GRAPH_COMPILATION_SNAPSHOT, type EdgePolicy } from '../turn-start/defaults.ts';
import type { DeepReadonly } from '../turn-start/freeze.ts';
import type { PlanPolicy } from '../turn-start/plan.ts';
import { isNodeKind, NODE_KINDS, type AvailableProvider, type NodeKind } from './catalogue.ts';
import {
  pipelineIssue,
  quote,
  refused,
  type PipelineIssue,
  type PipelineResult,
} from './issues.ts';
import type { NormalizedEdge, NormalizedPipeline } from './normalize.ts';
import { providerIssues } from './providers.ts';

/** A pipeline ready to run: the contract artifact, the runtime's graph and its CP inputs. */
export type CompiledPipeline = {
  readonly pipeline_version: string;
  readonly graph_definition_ref: string;
  readonly execution_profile: string;
  /** The GraphDefinition artifact (`graph_definition` contract). */
  readonly definition: GraphDefinition;
  /** What `createRuntime({ graph })` takes; nodes carry their preferred provider. */
  readonly graph: GraphSpec;
  /** Node ids that run, in topological order (fallback nodes stand by outside it). */
  readonly order: readonly string[];
  /** The plan's `edge_buffer_policies` (CP-02 completed, `default` included). */
  readonly edge_buffer_policies: DeepReadonly<Record<string, EdgePolicy>>;
  /** Each node's providers, most preferred first. */
  readonly node_providers: Readonly<Record<string, readonly string[]>>;
  /** CP-04 bindings: the preferred provider of the first node of each modality. */
  readonly provider_bindings: Readonly<Partial<Record<NodeKind, string>>>;
  readonly allowed_adaptive_actions: readonly AdaptiveAction[];
  /** What `openSession({ policies })` takes. */
  readonly session_policies: SessionPolicies;
  readonly plan: Required<PlanPolicy>;
  /** Hex SHA-256 of everything above that changes a run: a version's content identity. */
  readonly digest: string;
};

/** What CP-03 checks a pipeline against. */
export type CompileOptions = {
  /** The providers the runtime has (`availableProvidersOf(catalogue)`); nothing else passes. */
  readonly providers: readonly AvailableProvider[];
};

/** Node types whose output is text: their edges are lossless unless the file opts in. */
const TEXT_KINDS: readonly string[] = ['stt', 'llm'];

/** CP-03: compiles a normalized pipeline, or returns every issue that refuses it. */
export function compilePipeline(
  pipeline: NormalizedPipeline,
  options: CompileOptions,
): PipelineResult<CompiledPipeline> {
  const issues = [...nodeIssues(pipeline, options.providers), ...edgeIssues(pipeline)];
  if (issues.length > 0) return refused(issues);
  const cycle = findCycle(pipeline);
  if (cycle !== undefined) return refused([cycle]);
  const nodes: PipelineNode[] = pipeline.nodes.map((node) => {
    const kind = node.node_type as NodeKind;
    return {
      node_id: node.node_id,
      node_type: kind,
      provider_modality: kind,
      provider_id: node.providers[0] ?? kind,
      ...(node.budget_ms === undefined ? {} : { budget_ms: node.budget_ms }),
    };
  });
  const graph: GraphSpec = {
    nodes,
    edges: pipeline.edges.map((e) => ({
      edge_id: e.edge_id,
      from: e.from,
      to: e.to,
      ...(e.buffer === undefined ? {} : { buffer: e.buffer }),
    })),
    ...(pipeline.fallback_branches.length === 0
      ? {}
      : { fallback_branches: pipeline.fallback_branches }),
    plan: { budgets: pipeline.budgets, recording_policy: pipeline.recording_policy },
  };
  const runtime = compileRuntimeGraph(graph);
  if (!runtime.ok) {
    // Every other runtime check ran above with a pointer; what is left is a fallback branch.
    return refused([
      pipelineIssue(
        'invalid_fallback',
        '/fallback_branches',
        'valid fallback branches',
        runtime.message,
      ),
    ]);
  }
  const { pipeline_version, graph_definition_ref, execution_profile } = pipeline;
  const definition: GraphDefinition = {
    graph_definition_ref,
    graph_compilation_snapshot: GRAPH_COMPILATION_SNAPSHOT,
    graph_fingerprint: `graph-fingerprint/${pipeline_version}/${graph_definition_ref}/${execution_profile}`,
    pipeline_version,
    execution_profile,
    nodes: nodes as GraphDefinition['nodes'],
    edges: graph.edges.map(({ edge_id, from, to }) => ({ edge_id, from, to })),
    topological_order: topologicalOrder(pipeline) as GraphDefinition['topological_order'],
  };
  const bindings: Partial<Record<NodeKind, string>> = {};
  for (const node of pipeline.nodes) {
    const preferred = node.providers[0];
    if (preferred !== undefined) bindings[node.node_type as NodeKind] ??= preferred;
  }
  const compiled: Omit<CompiledPipeline, 'digest'> = {
    pipeline_version,
    graph_definition_ref,
    execution_profile,
    definition,
    graph,
    order: runtime.graph.order,
    edge_buffer_policies: runtime.graph.edge_policies,
    node_providers: Object.fromEntries(pipeline.nodes.map((n) => [n.node_id, n.providers])),
    provider_bindings: bindings,
    allowed_adaptive_actions: pipeline.allowed_adaptive_actions,
    session_policies: { opening_proposal: pipeline.opening_proposal, turn: pipeline.pre_turn },
    plan: { budgets: pipeline.budgets, recording_policy: pipeline.recording_policy },
  };
  return { ok: true, value: { ...compiled, digest: sha256Hex(JSON.stringify(compiled)) } };
}

function nodeIssues(
  pipeline: NormalizedPipeline,
  available: readonly AvailableProvider[],
): PipelineIssue[] {
  const issues: PipelineIssue[] = [];
  const seen = new Set<string>();
  for (const node of pipeline.nodes) {
    if (seen.has(node.node_id)) {
      const expected = 'a node id not declared before';
      issues.push(
        pipelineIssue('duplicate_id', `${node.pointer}/node_id`, expected, quote(node.node_id)),
      );
    }
    seen.add(node.node_id);
    if (!isNodeKind(node.node_type)) {
      const expected = `one of ${NODE_KINDS.join(', ')}${node.node_type === 'custom' ? ' (custom nodes are not executable yet)' : ''}`;
      issues.push(
        pipelineIssue(
          'unknown_node_kind',
          `${node.pointer}/node_type`,
          expected,
          quote(node.node_type),
        ),
      );
      continue;
    }
    issues.push(...providerIssues(node, node.node_type, available));
  }
  return issues;
}

function edgeIssues(pipeline: NormalizedPipeline): PipelineIssue[] {
  const declared = pipeline.nodes.map((n) => n.node_id);
  const kinds = new Map(pipeline.nodes.map((n) => [n.node_id, n.node_type]));
  const issues: PipelineIssue[] = [];
  const seen = new Set<string>();
  for (const edge of pipeline.edges) {
    if (seen.has(edge.edge_id)) {
      issues.push(
        pipelineIssue(
          'duplicate_id',
          `${edge.pointer}/edge_id`,
          'an edge id not used before',
          quote(edge.edge_id),
        ),
      );
    }
    seen.add(edge.edge_id);
    for (const end of ['from', 'to'] as const) {
      if (!declared.includes(edge[end])) {
        const expected = `a declared node id (${declared.join(', ')})`;
        issues.push(
          pipelineIssue('dangling_edge', `${edge.pointer}/${end}`, expected, quote(edge[end])),
        );
      }
    }
    if (edge.from === edge.to) {
      const expected = 'an edge between two different nodes';
      issues.push(pipelineIssue('self_edge', edge.pointer, expected, `${edge.from} -> ${edge.to}`));
    }
    const lossy = lossyTextIssue(edge, kinds.get(edge.from));
    if (lossy !== undefined) issues.push(lossy);
  }
  return issues;
}

/** A text edge whose buffer may drop items, unless the file opted in (ADR 0026: text is lossless). */
function lossyTextIssue(
  edge: NormalizedEdge,
  fromKind: string | undefined,
): PipelineIssue | undefined {
  if (edge.allow_lossy_text || edge.buffer === undefined) return undefined;
  if (fromKind === undefined || !TEXT_KINDS.includes(fromKind)) return undefined;
  const expected = `"block" on a text edge (from a ${fromKind} node), or "allow_lossy_text": true on the edge`;
  if (edge.buffer.strategy !== 'block')
    return pipelineIssue(
      'lossy_text_edge',
      `${edge.pointer}/buffer/strategy`,
      expected,
      quote(edge.buffer.strategy),
    );
  const lane = edge.buffer.lane_handling?.DataLane;
  if (lane !== undefined && lane !== 'block')
    return pipelineIssue(
      'lossy_text_edge',
      `${edge.pointer}/buffer/lane_handling/DataLane`,
      expected,
      quote(lane),
    );
  return undefined;
}

/** Kahn's algorithm over every node, ready nodes in declaration order; `undefined` on a cycle. */
function topologicalOrder(pipeline: NormalizedPipeline): string[] | undefined {
  const indegree = new Map(pipeline.nodes.map((n) => [n.node_id, 0]));
  for (const e of pipeline.edges) indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  const order: string[] = [];
  while (order.length < pipeline.nodes.length) {
    const next = pipeline.nodes.find((n) => indegree.get(n.node_id) === 0);
    if (next === undefined) return undefined;
    indegree.set(next.node_id, -1);
    order.push(next.node_id);
    for (const e of pipeline.edges)
      if (e.from === next.node_id) indegree.set(e.to, (indegree.get(e.to) ?? 0) - 1);
  }
  return order;
}

/** The first cycle (by declaration order), reported at the edge that closes it. */
function findCycle(pipeline: NormalizedPipeline): PipelineIssue | undefined {
  if (topologicalOrder(pipeline) !== undefined) return undefined;
  const state = new Map<string, 'open' | 'done'>();
  const path: NormalizedEdge[] = [];
  const visit = (node: string): PipelineIssue | undefined => {
    state.set(node, 'open');
    for (const edge of pipeline.edges.filter((e) => e.from === node)) {
      if (state.get(edge.to) === 'open') {
        const start = path.findIndex((e) => e.from === edge.to);
        const loop = [...path.slice(start < 0 ? path.length : start), edge];
        const received = `the cycle ${[...loop.map((e) => e.from), edge.to].join(' -> ')}`;
        return pipelineIssue('cycle', edge.pointer, 'an acyclic graph', received);
      }
      if (state.get(edge.to) === undefined) {
        path.push(edge);
        const found = visit(edge.to);
        if (found !== undefined) return found;
        path.pop();
      }
    }
    state.set(node, 'done');
    return undefined;
  };
  for (const node of pipeline.nodes) {
    if (state.get(node.node_id) !== undefined) continue;
    const found = visit(node.node_id);
    if (found !== undefined) return found;
  }
  return undefined;
}
