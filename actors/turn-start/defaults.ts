/**
 * Simple-mode defaults frozen into every MVP plan (spec/signals-and-outcomes.md "Simple-mode
 * defaults") and the control-plane defaults of the turn-start bundle (spec/modules.md CP rows).
 */
import type {
  AdaptiveAction,
  ResolvedTurnPlan,
  SnapshotProvenance,
} from '../../contracts/internal.ts';
import { deepFreeze, type DeepReadonly } from './freeze.ts';

/** The only execution profile of the MVP. */
export const SIMPLE_PROFILE = 'simple';

/** CP-01 default pipeline record. */
export const DEFAULT_PIPELINE = deepFreeze({
  pipeline_version: 'pipeline-v1',
  graph_definition_ref: 'graph/default',
  execution_profile: SIMPLE_PROFILE,
} as const);

/** Simple-mode budgets in ms. */
export const SIMPLE_BUDGETS: DeepReadonly<ResolvedTurnPlan['budgets']> = deepFreeze({
  turn_budget_ms: 5000,
  node_budget_ms_default: 1500,
  path_budget_ms_default: 3000,
  edge_budget_ms_default: 500,
});

/** One edge buffer policy of a plan. */
export type EdgePolicy = NonNullable<ResolvedTurnPlan['edge_buffer_policies'][string]>;

/** Key of the edge policy every simple plan carries. */
export const DEFAULT_EDGE_ID = 'default';

/** The simple-mode `default` edge buffer policy. */
export const SIMPLE_EDGE_POLICY: DeepReadonly<EdgePolicy> = deepFreeze({
  strategy: 'drop',
  max_queue_items: 64,
  max_queue_ms: 300,
  max_queue_bytes: 262144,
  max_latency_contribution_ms: 120,
  watermarks: { queue_items: { high: 48, low: 24 } },
  lane_handling: {
    DataLane: 'drop',
    ControlLane: 'non_blocking_priority',
    TelemetryLane: 'best_effort_drop',
  },
  defaulting_source: 'execution_profile_default',
});

/**
 * The simple-mode policy of a text edge (transcripts, reply tokens): lossless. Words of a reply
 * are not droppable media: a producer honours the edge's `flow_xoff` and is read more slowly
 * until `flow_xon` (RK-14 backpressure), so the queue never reaches its bound; a consumer that
 * stops reading for `max_block_time_ms` sheds with a `drop_notice`, and a text item waits for
 * at most `max_queue_ms` (a reply that long is past use). ADR 0026.
 */
export const SIMPLE_TEXT_EDGE_POLICY: DeepReadonly<EdgePolicy> = deepFreeze({
  strategy: 'block',
  max_queue_items: 64,
  max_queue_ms: 120_000,
  max_queue_bytes: 262144,
  max_latency_contribution_ms: 120,
  max_block_time_ms: 5000,
  watermarks: { queue_items: { high: 48, low: 24 } },
  lane_handling: {
    DataLane: 'block',
    ControlLane: 'non_blocking_priority',
    TelemetryLane: 'best_effort_drop',
  },
  defaulting_source: 'execution_profile_default',
});

/** Simple-mode plan flow control. */
export const SIMPLE_FLOW_CONTROL: DeepReadonly<ResolvedTurnPlan['flow_control']> = deepFreeze({
  mode_by_lane: { DataLane: 'signal', ControlLane: 'signal', TelemetryLane: 'signal' },
  watermarks: {
    DataLane: { high: 100, low: 50 },
    ControlLane: { high: 20, low: 10 },
    TelemetryLane: { high: 200, low: 100 },
  },
  shedding_strategy_by_lane: { DataLane: 'drop', ControlLane: 'none', TelemetryLane: 'sample' },
});

/** Simple-mode recording policy. */
export const SIMPLE_RECORDING: DeepReadonly<ResolvedTurnPlan['recording_policy']> = deepFreeze({
  recording_level: 'L0',
  allowed_replay_modes: ['replay_decisions'],
});

/** Modalities every plan binds (open point 3: emit all three). */
export const BOUND_MODALITIES = ['stt', 'llm', 'tts'] as const;

/** CP-04 default bindings: the first provider of each modality in the RK-10 catalogue. */
export const DEFAULT_PROVIDER_BINDINGS: Readonly<
  Record<(typeof BOUND_MODALITIES)[number], string>
> = deepFreeze({ stt: 'stt-deepgram', llm: 'llm-anthropic', tts: 'tts-elevenlabs' });

/** Canonical order of adaptive actions (CP-04). */
const ADAPTIVE_ACTION_ORDER: readonly AdaptiveAction[] = deepFreeze([
  'retry',
  'provider_switch',
  'degrade',
  'fallback',
]);

/** CP-04 default allowed adaptive actions. */
export const DEFAULT_ADAPTIVE_ACTIONS: readonly AdaptiveAction[] = deepFreeze([
  'retry',
  'provider_switch',
  'fallback',
]);

/** Default snapshot refs of CP-08 (routing, admission, ABI), CP-09, CP-04 and CP-10. */
export const DEFAULT_PROVENANCE: Readonly<SnapshotProvenance> = deepFreeze({
  routing_view_snapshot: 'routing-view/v1',
  admission_policy_snapshot: 'admission-policy/v1',
  abi_compatibility_snapshot: 'abi-compat/v1',
  version_resolution_snapshot: 'version-resolution/v1',
  policy_resolution_snapshot: 'policy-resolution/v1',
  provider_health_snapshot: 'provider-health/v1',
});

/** CP-03 default compiler snapshot. */
export const GRAPH_COMPILATION_SNAPSHOT = 'graph-compiler/v1';

/** CP-07 default lease resolution snapshot. */
export const LEASE_RESOLUTION_SNAPSHOT = 'lease-resolution/v1';

/** Deduplicates, drops unknown names and orders actions as {@link ADAPTIVE_ACTION_ORDER}. */
export function normalizeAdaptiveActions(actions: readonly unknown[]): AdaptiveAction[] {
  const wanted = new Set(actions);
  return ADAPTIVE_ACTION_ORDER.filter((action) => wanted.has(action));
}
