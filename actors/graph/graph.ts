/**
 * RK-07 graph compilation for the runtime: validates a graph definition (unique ids, known
 * endpoints, no self-edges, no cycles, supported node types) and computes the deterministic
 * topological order (ties broken by declaration order). Also the RK-06 lane router.
 */
import type { GraphEdge, Lane, NodeType, PipelineNode } from '../../contracts/index.ts';

/** The graph a runtime executes: declared nodes and edges. */
export type GraphSpec = {
  readonly nodes: readonly PipelineNode[];
  readonly edges: readonly GraphEdge[];
};

/** A validated graph with its execution order and adjacency. */
export type RuntimeGraph = GraphSpec & {
  /** Node ids in topological order, ties by declaration order. */
  readonly order: readonly string[];
  /** Inbound edges of each node, in declaration order. */
  readonly inbound: ReadonlyMap<string, readonly GraphEdge[]>;
  /** Outbound edges of each node, in declaration order. */
  readonly outbound: ReadonlyMap<string, readonly GraphEdge[]>;
};

/** Why a graph is not executable. */
export type GraphErrorCode =
  | 'empty_graph'
  | 'duplicate_id'
  | 'unknown_endpoint'
  | 'self_edge'
  | 'cycle'
  | 'unsupported_node_type';

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
  const inbound = new Map<string, GraphEdge[]>(spec.nodes.map((n) => [n.node_id, []]));
  const outbound = new Map<string, GraphEdge[]>(spec.nodes.map((n) => [n.node_id, []]));
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
  return { ok: true, graph: { nodes: spec.nodes, edges: spec.edges, order, inbound, outbound } };
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
