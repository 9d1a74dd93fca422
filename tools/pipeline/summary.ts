/**
 * What `rspp pipeline check` prints about a compiled pipeline: a few aligned lines for people,
 * or one JSON object for scripts. Both name only the file's own ids and settings.
 */
import type { CompiledPipeline } from '../../actors/pipeline/compile.ts';
import type { PipelineIssue } from '../../actors/pipeline/issues.ts';

/** The compiled graph as lines: identity, run order, nodes, edges, policies. */
export function formatSummary(file: string, p: CompiledPipeline): string[] {
  const policies = p.session_policies.turn;
  const b = p.plan.budgets;
  const lines = [
    `ok ${file}`,
    `pipeline ${p.pipeline_version}, graph ${p.graph_definition_ref}, profile ${p.execution_profile}`,
    `fingerprint ${p.definition.graph_fingerprint}, digest ${p.digest.slice(0, 12)}`,
    `run order: ${p.order.join(' -> ')}`,
    'nodes:',
    ...p.graph.nodes.map(
      (n) =>
        `  ${n.node_id} (${n.node_type}): ${(p.node_providers[n.node_id] ?? []).join(' > ')}${n.budget_ms === undefined ? '' : `, budget ${String(n.budget_ms)} ms`}`,
    ),
    'edges:',
    ...[
      ...p.graph.edges.map((e) => [e.edge_id, `${e.from} -> ${e.to}`]),
      ['default', 'any other'],
    ].map(([id = '', ends]) => {
      const policy = p.edge_buffer_policies[id];
      const how =
        policy === undefined
          ? 'default policy'
          : `${policy.strategy}, ${String(policy.max_queue_items)} items, ${String(policy.max_queue_ms)} ms, ${policy.defaulting_source}`;
      return `  ${id}: ${ends ?? ''}, ${how}`;
    }),
    ...(p.graph.fallback_branches ?? []).map(
      (f) => `fallback: ${f.fallback_node_id} runs in place of ${f.node_id}`,
    ),
    `adaptive actions: ${p.allowed_adaptive_actions.join(', ') || 'none'}`,
    `pre-turn: snapshot_invalid ${policies.snapshot_invalid ?? 'defer'}, capacity ${policies.capacity ?? 'reject'}, bundle_failure ${policies.bundle_failure ?? 'defer'}, plan_failure ${policies.plan_failure ?? 'defer'}; opening proposals ${p.session_policies.opening_proposal}`,
    `recording: ${p.plan.recording_policy.recording_level}, replay modes ${p.plan.recording_policy.allowed_replay_modes.join(', ')}`,
    `budgets (ms): turn ${String(b.turn_budget_ms)}, node ${String(b.node_budget_ms_default)}, path ${String(b.path_budget_ms_default)}, edge ${String(b.edge_budget_ms_default)}`,
  ];
  return lines;
}

/** The `--json` report of a compiled pipeline. */
export function summaryJson(file: string, p: CompiledPipeline): Record<string, unknown> {
  return {
    ok: true,
    file,
    pipeline_version: p.pipeline_version,
    graph_definition_ref: p.graph_definition_ref,
    execution_profile: p.execution_profile,
    graph_fingerprint: p.definition.graph_fingerprint,
    digest: p.digest,
    order: p.order,
    graph_definition: p.definition,
    node_providers: p.node_providers,
    provider_bindings: p.provider_bindings,
    edge_buffer_policies: p.edge_buffer_policies,
    fallback_branches: p.graph.fallback_branches ?? [],
    allowed_adaptive_actions: p.allowed_adaptive_actions,
    session_policies: p.session_policies,
    budgets: p.plan.budgets,
    recording_policy: p.plan.recording_policy,
  };
}

/** The `--json` report of a refused file: the first issue as `error`, then all of them. */
export function refusalJson(
  file: string,
  issues: readonly PipelineIssue[],
): Record<string, unknown> {
  return { ok: false, file, error: issues[0], issues };
}

/** The one line naming a refused file and its first issue, e.g. `f.json: /nodes/0: cycle: ...`. */
export function refusalLine(file: string, issues: readonly PipelineIssue[]): string {
  const [first, ...more] = issues;
  const tail = more.length === 0 ? '' : ` (${String(more.length)} more after this one)`;
  return `${file}: ${first?.message ?? 'refused'}${tail}`;
}
