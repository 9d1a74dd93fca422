/**
 * Cross-field rules JSON Schema cannot state (it cannot compare two values or check that ids
 * are unique by one field). They run only on schema-valid documents, so they may trust shapes.
 */
import type { ArtifactName } from './artifacts.ts';
import type {
  BaselineEvidence,
  GraphDefinition,
  InvocationOutcome,
  PipelineSpec,
} from './generated/types.ts';
import { childPointer, makeIssue, renderValue, type ValidationIssue } from './issues.ts';

/** Ids of the semantic rules, as they appear in `ValidationIssue.rule`. */
export const SEMANTIC_RULES = {
  total_latency_ge_final: 'total_latency_ge_final',
  redaction_one_per_class: 'redaction_one_per_class',
  redaction_covers_tags: 'redaction_covers_tags',
  unique_node_ids: 'unique_node_ids',
  unique_edge_ids: 'unique_edge_ids',
  known_node: 'known_node',
  no_self_edge: 'no_self_edge',
  topological_order_complete: 'topological_order_complete',
  topological_order_respects_edges: 'topological_order_respects_edges',
} as const;

/** A semantic check: `undefined` when the document holds, else its issues. */
export type SemanticCheck = (doc: unknown) => ValidationIssue[] | undefined;

/** Appends issues lazily so a passing check allocates nothing beyond its own bookkeeping. */
function push(list: ValidationIssue[] | undefined, issue: ValidationIssue): ValidationIssue[] {
  if (list === undefined) return [issue];
  list.push(issue);
  return list;
}

function checkLatency(
  outcome: InvocationOutcome,
  at: string,
  out?: ValidationIssue[],
): ValidationIssue[] | undefined {
  if (outcome.total_invocation_latency_ms >= outcome.final_attempt_latency_ms) return out;
  return push(
    out,
    makeIssue(
      childPointer(at, 'total_invocation_latency_ms'),
      SEMANTIC_RULES.total_latency_ge_final,
      `>= final_attempt_latency_ms (${outcome.final_attempt_latency_ms})`,
      renderValue(outcome.total_invocation_latency_ms),
    ),
  );
}

function checkBaseline(doc: BaselineEvidence): ValidationIssue[] | undefined {
  let out: ValidationIssue[] | undefined;
  const classes = new Set<string>();
  doc.redaction_decisions.forEach((decision, i) => {
    if (classes.has(decision.payload_class)) {
      const at = childPointer(childPointer('/redaction_decisions', i), 'payload_class');
      out = push(
        out,
        makeIssue(
          at,
          SEMANTIC_RULES.redaction_one_per_class,
          'a payload class without an earlier decision',
          renderValue(decision.payload_class),
        ),
      );
    }
    classes.add(decision.payload_class);
  });
  doc.payload_tags.forEach((tag, i) => {
    if (!classes.has(tag)) {
      out = push(
        out,
        makeIssue(
          childPointer('/payload_tags', i),
          SEMANTIC_RULES.redaction_covers_tags,
          'a tag with a redaction decision',
          renderValue(tag),
        ),
      );
    }
  });
  doc.invocation_outcomes.forEach((outcome, i) => {
    out = checkLatency(outcome, childPointer('/invocation_outcomes', i), out);
  });
  return out;
}

interface Topology {
  readonly nodes: readonly { readonly node_id: string }[];
  readonly edges: readonly {
    readonly edge_id: string;
    readonly from: string;
    readonly to: string;
  }[];
}

/** Unique node and edge ids, edges between declared nodes, no self-edge. Returns the node ids. */
function checkTopology(
  doc: Topology,
  out: ValidationIssue[] | undefined,
): { ids: Set<string>; out: ValidationIssue[] | undefined } {
  const ids = new Set<string>();
  doc.nodes.forEach((node, i) => {
    if (ids.has(node.node_id)) {
      out = push(
        out,
        makeIssue(
          `/nodes/${i}/node_id`,
          SEMANTIC_RULES.unique_node_ids,
          'a node id not declared before',
          renderValue(node.node_id),
        ),
      );
    }
    ids.add(node.node_id);
  });
  const edgeIds = new Set<string>();
  doc.edges.forEach((edge, i) => {
    if (edgeIds.has(edge.edge_id)) {
      out = push(
        out,
        makeIssue(
          `/edges/${i}/edge_id`,
          SEMANTIC_RULES.unique_edge_ids,
          'an edge id not declared before',
          renderValue(edge.edge_id),
        ),
      );
    }
    edgeIds.add(edge.edge_id);
    for (const end of ['from', 'to'] as const) {
      if (!ids.has(edge[end])) {
        out = push(
          out,
          makeIssue(
            `/edges/${i}/${end}`,
            SEMANTIC_RULES.known_node,
            'the id of a declared node',
            renderValue(edge[end]),
          ),
        );
      }
    }
    if (edge.from === edge.to) {
      out = push(
        out,
        makeIssue(
          `/edges/${i}/to`,
          SEMANTIC_RULES.no_self_edge,
          `a node other than "from" (${edge.from})`,
          renderValue(edge.to),
        ),
      );
    }
  });
  return { ids, out };
}

function checkPipelineSpec(doc: PipelineSpec): ValidationIssue[] | undefined {
  const { ids, out: topologyIssues } = checkTopology(doc, undefined);
  let out = topologyIssues;
  doc.fallback_intent?.fallback_branches?.forEach((branch, i) => {
    for (const end of ['node_id', 'fallback_node_id'] as const) {
      if (!ids.has(branch[end])) {
        const at = `/fallback_intent/fallback_branches/${i}/${end}`;
        out = push(
          out,
          makeIssue(
            at,
            SEMANTIC_RULES.known_node,
            'the id of a declared node',
            renderValue(branch[end]),
          ),
        );
      }
    }
  });
  return out;
}

function checkGraph(doc: GraphDefinition): ValidationIssue[] | undefined {
  const { ids, out: topologyIssues } = checkTopology(doc, undefined);
  let out = topologyIssues;
  const position = new Map<string, number>();
  doc.topological_order.forEach((id, i) => {
    position.set(id, i);
    if (!ids.has(id)) {
      out = push(
        out,
        makeIssue(
          `/topological_order/${i}`,
          SEMANTIC_RULES.known_node,
          'the id of a declared node',
          renderValue(id),
        ),
      );
    }
  });
  const missing = [...ids].filter((id) => !position.has(id));
  if (missing.length > 0) {
    out = push(
      out,
      makeIssue(
        '/topological_order',
        SEMANTIC_RULES.topological_order_complete,
        `every node id, including ${missing.map((m) => renderValue(m)).join(', ')}`,
        renderValue(doc.topological_order),
      ),
    );
  }
  doc.edges.forEach((edge, i) => {
    const from = position.get(edge.from);
    const to = position.get(edge.to);
    // A self-edge is reported once, by checkTopology.
    if (edge.from !== edge.to && from !== undefined && to !== undefined && from >= to) {
      out = push(
        out,
        makeIssue(
          `/edges/${i}`,
          SEMANTIC_RULES.topological_order_respects_edges,
          `"${edge.from}" before "${edge.to}" in topological_order`,
          renderValue(edge),
        ),
      );
    }
  });
  return out;
}

/** The semantic check of each artifact that has one. */
export const SEMANTIC_CHECKS: Readonly<Partial<Record<ArtifactName, SemanticCheck>>> =
  Object.freeze({
    invocation_outcome: (doc: unknown) => checkLatency(doc as InvocationOutcome, ''),
    baseline_evidence: (doc: unknown) => checkBaseline(doc as BaselineEvidence),
    pipeline_spec: (doc: unknown) => checkPipelineSpec(doc as PipelineSpec),
    graph_definition: (doc: unknown) => checkGraph(doc as GraphDefinition),
  });
