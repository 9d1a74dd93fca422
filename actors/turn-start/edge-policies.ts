/**
 * CP-02 for edge buffers: the BufferSpec every edge of a graph gets in its plans. An edge that
 * declares a buffer keeps what it declares, its absent bounds filled from the profile's policy
 * for its kind (`explicit_edge_config`); an undeclared text edge gets the lossless text policy;
 * an undeclared audio edge uses the plan's `default` policy (may shed). Computed once per graph,
 * deep-frozen and shared by every plan.
 */
import type { EdgeBufferSpec } from '../../contracts/internal.ts';
import {
  DEFAULT_EDGE_ID,
  SIMPLE_EDGE_POLICY,
  SIMPLE_TEXT_EDGE_POLICY,
  type EdgePolicy,
} from './defaults.ts';
import { deepFreeze, type DeepReadonly } from './freeze.ts';

/** One edge of a graph as CP-02 sees it. */
export type PolicyEdge = {
  readonly edge_id: string;
  /** The producer emits text (STT, LLM); audio otherwise. */
  readonly text: boolean;
  readonly buffer?: EdgeBufferSpec | undefined;
};

/** A declared buffer completed from the profile's policy for its kind. */
function completed(spec: EdgeBufferSpec, base: DeepReadonly<EdgePolicy>): DeepReadonly<EdgePolicy> {
  const blocks = spec.strategy === 'block';
  const block_ms = spec.max_block_time_ms ?? base.max_block_time_ms ?? 5000;
  return {
    strategy: spec.strategy,
    max_queue_items: spec.max_queue_items ?? base.max_queue_items,
    max_queue_ms: spec.max_queue_ms ?? base.max_queue_ms,
    max_queue_bytes: spec.max_queue_bytes ?? base.max_queue_bytes,
    max_latency_contribution_ms:
      spec.max_latency_contribution_ms ?? base.max_latency_contribution_ms,
    ...(blocks || spec.max_block_time_ms !== undefined ? { max_block_time_ms: block_ms } : {}),
    watermarks: spec.watermarks ?? base.watermarks,
    lane_handling: spec.lane_handling ?? {
      DataLane: spec.strategy,
      ControlLane: 'non_blocking_priority',
      TelemetryLane: 'best_effort_drop',
    },
    defaulting_source: 'explicit_edge_config',
  };
}

/** The plan's `edge_buffer_policies` for a graph's edges (always with `default`). */
export function edgeBufferPolicies(
  edges: readonly PolicyEdge[],
): DeepReadonly<Record<string, EdgePolicy>> {
  const policies: Record<string, DeepReadonly<EdgePolicy>> = {
    [DEFAULT_EDGE_ID]: SIMPLE_EDGE_POLICY,
  };
  for (const edge of edges) {
    const base = edge.text ? SIMPLE_TEXT_EDGE_POLICY : SIMPLE_EDGE_POLICY;
    if (edge.buffer !== undefined) policies[edge.edge_id] = completed(edge.buffer, base);
    else if (edge.text) policies[edge.edge_id] = SIMPLE_TEXT_EDGE_POLICY;
  }
  return deepFreeze(policies);
}
