/**
 * RK-07 graph compilation for the runtime: validates a graph definition (unique ids, known
 * endpoints, no self-edges, no cycles, supported node types, pre-resolved fallback branches)
 * and computes the deterministic topological order (ties broken by declaration order) of the
 * nodes that run; a fallback node stands by, outside the order, until its primary falls back
 * to it. CP-02 completes every edge's buffer policy once, here. Also the RK-06 lane router.
 */
import type { Lane } from '../../contracts/index.ts';
import type { NodeType, PipelineEdge, PipelineNode } from '../../contracts/internal.ts';
import type { EdgePolicy } from '../turn-start/defaults.ts';
import { edgeBufferPolicies } from '../turn-start/edge-policies.ts';
import type { DeepReadonly } from '../turn-start/freeze.ts';
import type { PlanPolicy } from '../turn-start/plan.ts';

/** A pre-resolved fallback branch: `fallback_node_id` runs in place of `node_id` (RK-07). */
type FallbackBranch = { readonly node_id: string; readonly fallback_node_id: string };

/** The graph a runtime executes: declared nodes, edges (with optional buffers), fallbacks. */
export type GraphSpec = {
  readonly nodes: readonly PipelineNode[];
  readonly edges: readonly PipelineEdge[];
  readonly fallback_branches?: readonly FallbackBranch[];
  /** Budgets and recording policy every plan of this graph freezes (default: simple mode's). */
  readonly plan?: PlanPolicy;
};

/** A validated graph with its execution order and adjacency. */
export type RuntimeGraph = GraphSpec & {
  /** Ids of the nodes that run, in topological order, ties by declaration order. */
  readonly order: readonly string[];
  /** Inbound edges of each node, in declaration order. */
  readonly inbound: ReadonlyMap<string, readonly PipelineEdge[]>;
  /** Outbound edges of each node, in declaration order. */
  readonly outbound: ReadonlyMap<string, readonly PipelineEdge[]>;
  /** The fallback node of each primary that has one. */
  readonly fallbacks: ReadonlyMap<string, PipelineNode>;
  /** The plan's `edge_buffer_policies` for this graph (CP-02, frozen, shared by every plan). */
  readonly edge_policies: DeepReadonly<Record<string, EdgePolicy>>;
};

/** Node types whose output is text (their edges are lossless by default). */
const TEXT_PRODUCERS: readonly NodeType[] = ['stt', 'llm'];

/** Why a graph is not executable. */
type GraphErrorCode =
  | 'empty_graph'
  | 'duplicate_id'
  | 'unknown_endpoint'
  | 'self_edge'
  | 'cycle'
  | 'unsupported_node_type'
  | 'invalid_fallback';

/** Result of {@link compileRuntimeGraph}. */
export type GraphCompileResult =
  | { readonly ok: true; readonly graph: RuntimeGraph }
  | { readonly ok: false; readonly code: GraphErrorCode; readonly message: string };

/** The default pipeline: STT -> LLM -> TTS. */
export const DEFAULT_GRAPH: GraphSpec = {
  nodes: [
    { node_id: 'stt', node_type: 'stt', provider_modality: 'stt' },
    { node_id: 'llm', node_type: 'llm', provider_modality: 'llm' },
    { node_id: 'tts', node_type: 'tts', provider_modality: 'tts' },
  ],
  edges: [
    { edge_id: 'stt-llm', from: 'stt', to: 'llm' },
    { edge_id: 'llm-tts', from: 'llm', to: 'tts' },
  ],
};

const EXECUTABLE: readonly NodeType[] = ['stt', 'llm', 'tts'];

const fail = (code: GraphErrorCode, message: string): GraphCompileResult => ({
  ok: false,
  code,
  message,
});

/** Validates `spec` and orders it (Kahn's algorithm, ready nodes taken in declaration order). */
export function compileRuntimeGraph(spec: GraphSpec): GraphCompileResult {
  if (spec.nodes.length === 0) return fail('empty_graph', 'graph: nodes must not be empty');
  const ids = new Set<string>();
  for (const node of spec.nodes) {
    if (ids.has(node.node_id)) return fail('duplicate_id', `graph: duplicate node ${node.node_id}`);
    if (!EXECUTABLE.includes(node.node_type)) {
      return fail(
        'unsupported_node_type',
        `graph: node ${node.node_id} has type ${node.node_type}`,
      );
    }
    ids.add(node.node_id);
  }
  const edgeIds = new Set<string>();
  const inbound = new Map<string, PipelineEdge[]>(spec.nodes.map((n) => [n.node_id, []]));
  const outbound = new Map<string, PipelineEdge[]>(spec.nodes.map((n) => [n.node_id, []]));
  for (const edge of spec.edges) {
    if (edgeIds.has(edge.edge_id))
      return fail('duplicate_id', `graph: duplicate edge ${edge.edge_id}`);
    edgeIds.add(edge.edge_id);
    if (!ids.has(edge.from) || !ids.has(edge.to)) {
      return fail('unknown_endpoint', `graph: edge ${edge.edge_id} names an unknown node`);
    }
    if (edge.from === edge.to)
      return fail('self_edge', `graph: edge ${edge.edge_id} is a self-edge`);
    inbound.get(edge.to)?.push(edge);
    outbound.get(edge.from)?.push(edge);
  }
  const remaining = new Map(
    spec.nodes.map((n) => [n.node_id, inbound.get(n.node_id)?.length ?? 0]),
  );
  const order: string[] = [];
  while (order.length < spec.nodes.length) {
    const next = spec.nodes.find((n) => remaining.get(n.node_id) === 0);
    if (next === undefined) return fail('cycle', 'graph: the edges form a cycle');
    remaining.set(next.node_id, -1);
    order.push(next.node_id);
    for (const edge of outbound.get(next.node_id) ?? []) {
      remaining.set(edge.to, (remaining.get(edge.to) ?? 0) - 1);
    }
  }
  const fallbacks = new Map<string, PipelineNode>();
  for (const branch of spec.fallback_branches ?? []) {
    const checked = checkBranch(spec, branch, fallbacks);
    if (typeof checked === 'string') return fail('invalid_fallback', checked);
    fallbacks.set(branch.node_id, checked);
  }
  const standby = new Set([...fallbacks.values()].map((n) => n.node_id));
  const nodeType = new Map(spec.nodes.map((n) => [n.node_id, n.node_type]));
  const edge_policies = edgeBufferPolicies(
    spec.edges.map((e) => ({
      edge_id: e.edge_id,
      text: TEXT_PRODUCERS.includes(nodeType.get(e.from) ?? 'tts'),
      buffer: e.buffer,
    })),
  );
  return {
    ok: true,
    graph: {
      nodes: spec.nodes,
      edges: spec.edges,
      ...(spec.fallback_branches === undefined
        ? {}
        : { fallback_branches: spec.fallback_branches }),
      ...(spec.plan === undefined ? {} : { plan: spec.plan }),
      order: order.filter((id) => !standby.has(id)),
      inbound,
      outbound,
      fallbacks,
      edge_policies,
    },
  };
}

/** A fallback node: declared, of the primary's type, on no edge, the fallback of one node only. */
function checkBranch(
  spec: GraphSpec,
  branch: FallbackBranch,
  taken: ReadonlyMap<string, PipelineNode>,
): PipelineNode | string {
  const at = `graph: fallback_branches ${branch.node_id} -> ${branch.fallback_node_id}`;
  const primary = spec.nodes.find((n) => n.node_id === branch.node_id);
  const fallback = spec.nodes.find((n) => n.node_id === branch.fallback_node_id);
  if (primary === undefined || fallback === undefined) return `${at}: names an unknown node`;
  if (primary === fallback) return `${at}: a node cannot be its own fallback`;
  if (fallback.node_type !== primary.node_type)
    return `${at}: expected a ${primary.node_type} fallback, received ${fallback.node_type}`;
  if (spec.edges.some((e) => e.from === fallback.node_id || e.to === fallback.node_id))
    return `${at}: a fallback node takes its primary's edges and may have none of its own`;
  if (taken.has(primary.node_id)) return `${at}: ${primary.node_id} already has a fallback`;
  if ([...taken.values()].includes(fallback)) return `${at}: already a fallback of another node`;
  return fallback;
}

/** RK-06: the queue of a (node type, lane): `runtime/<data|control|telemetry>/<node_type>`. */
export function laneQueue(node_type: string, lane: Lane): string {
  const token = lane === 'DataLane' ? 'data' : lane === 'ControlLane' ? 'control' : 'telemetry';
  return `runtime/${token}/${node_type.toLowerCase()}`;
}

/** RK-06 priority: ControlLane first, then DataLane, then TelemetryLane (lower runs first). */
export function lanePriority(lane: Lane): number {
  return lane === 'ControlLane' ? 0 : lane === 'DataLane' ? 1 : 2;
}
