/**
 * Resolves a plan's BufferSpec and flow control into one bounded configuration per lane, failing
 * at construction (never mid-turn) on a spec the buffer cannot honour.
 */
import type { Lane } from '../../contracts/index.ts';
import type { ResolvedTurnPlan, WatermarkThreshold } from '../../contracts/internal.ts';

/** The BufferSpec of one edge as frozen into a ResolvedTurnPlan. */
export type BufferPolicy = NonNullable<ResolvedTurnPlan['edge_buffer_policies'][string]>;
/** The plan's flow-control section. */
export type FlowControlPolicy = ResolvedTurnPlan['flow_control'];
/** RK-14 flow-control mode of a lane. */
export type FlowMode = FlowControlPolicy['mode_by_lane']['DataLane'];
/** What a lane does when an offer does not fit. */
type LaneStrategy =
  | 'block'
  | 'drop'
  | 'merge'
  | 'sample'
  | 'latest_only'
  | 'best_effort_drop'
  | 'non_blocking_priority';

/** Effective watermarks of a lane: marks above the lane bound are scaled down to it, `low < high`. */
export interface LaneWatermarks {
  readonly queue_items?: WatermarkThreshold;
  readonly queue_ms?: WatermarkThreshold;
}

/** Sync-loss handling of audio drops (minimal RK-15). */
export interface SyncLossConfig {
  readonly policy: 'drop_with_discontinuity' | 'no_sync' | 'unspecified';
  readonly sync_domain?: string;
}

/** Fully resolved, bounded configuration of one lane of one edge. */
export interface LaneConfig {
  readonly lane: Lane;
  readonly strategy: LaneStrategy;
  readonly max_queue_items: number;
  readonly max_queue_ms: number;
  readonly max_queue_bytes: number;
  readonly max_block_time_ms: number;
  readonly max_blocked_producers: number;
  readonly watermarks: LaneWatermarks;
  readonly mode: FlowMode;
  readonly credit_amount: number;
  readonly sample_every: number;
  readonly sync: SyncLossConfig;
}

/** Tuning knobs the plan does not carry. */
export interface LaneTuning {
  /** Credits granted per recovery in credit/hybrid mode; default 1. */
  readonly creditAmount?: number;
  /** Under pressure a `sample` lane admits one offer in this many; default 2. */
  readonly sampleEvery?: number;
  /** Bound on producers parked by a `block` lane; default 16. */
  readonly maxBlockedProducers?: number;
  /** Whether a payload merger is available (required by `merge`). */
  readonly hasMerger: boolean;
}

/** A BufferSpec the edge buffer refuses; the message names field, expected and received value. */
export class EdgeConfigError extends Error {
  override readonly name = 'EdgeConfigError';
  /** The edge whose spec was refused. */
  readonly edgeId: string;
  /** The offending field. */
  readonly field: string;
  /** Builds the error for one field. */
  constructor(edgeId: string, field: string, expected: string, received: unknown) {
    super(`edge ${edgeId}: ${field} must be ${expected}, received ${JSON.stringify(received)}`);
    this.edgeId = edgeId;
    this.field = field;
  }
}

function positiveInt(edgeId: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new EdgeConfigError(edgeId, field, 'an integer >= 1', value);
  }
  return value;
}

function clampThreshold(
  edgeId: string,
  field: string,
  threshold: WatermarkThreshold | undefined,
  bound: number,
): WatermarkThreshold | undefined {
  if (threshold === undefined) return undefined;
  if (threshold.low >= threshold.high) {
    throw new EdgeConfigError(edgeId, `${field}.low`, `< high (${threshold.high})`, threshold.low);
  }
  if (threshold.high <= bound) return threshold;
  // A high mark above the hard bound would let a pressure drop happen before any watermark:
  // scale both marks down to the bound, keeping the hysteresis ratio.
  return {
    high: bound,
    low: Math.min(Math.floor((threshold.low * bound) / threshold.high), bound - 1),
  };
}

function watermarksFor(
  edgeId: string,
  source: { queue_items?: WatermarkThreshold; queue_ms?: WatermarkThreshold },
  items: number,
  maxMs: number,
): LaneWatermarks {
  const qi = clampThreshold(edgeId, 'watermarks.queue_items', source.queue_items, items);
  const qm = clampThreshold(edgeId, 'watermarks.queue_ms', source.queue_ms, maxMs);
  return { ...(qi ? { queue_items: qi } : {}), ...(qm ? { queue_ms: qm } : {}) };
}

function syncConfig(edgeId: string, policy: BufferPolicy): SyncLossConfig {
  const sync = policy.sync_drop_policy;
  if (sync === undefined) return { policy: 'unspecified' };
  if (sync.policy === 'atomic_drop') {
    throw new EdgeConfigError(
      edgeId,
      'sync_drop_policy.policy',
      'drop_with_discontinuity or no_sync (atomic_drop needs the full RK-15)',
      sync.policy,
    );
  }
  if (sync.policy === 'no_sync') return { policy: 'no_sync' };
  if (sync.sync_domain === undefined) {
    throw new EdgeConfigError(edgeId, 'sync_drop_policy.sync_domain', 'a sync domain', undefined);
  }
  return { policy: sync.policy, sync_domain: sync.sync_domain };
}

/** Resolves the three lane configurations of one edge from its BufferSpec and the plan. */
export function resolveLaneConfigs(
  edgeId: string,
  policy: BufferPolicy,
  flow: FlowControlPolicy,
  tuning: LaneTuning,
): Readonly<Record<Lane, LaneConfig>> {
  const items = positiveInt(edgeId, 'max_queue_items', policy.max_queue_items);
  const maxMs = positiveInt(edgeId, 'max_queue_ms', policy.max_queue_ms);
  const bytes = positiveInt(edgeId, 'max_queue_bytes', policy.max_queue_bytes);
  // `strategy` governs DataLane: the schema ties `max_block_time_ms` to it. A `block` in
  // lane_handling.DataLane still needs the bound, so blocking is never unbounded.
  const dataStrategy = policy.strategy;
  const blocks = dataStrategy === 'block' || policy.lane_handling.DataLane === 'block';
  const blockMs = blocks
    ? positiveInt(edgeId, 'max_block_time_ms', policy.max_block_time_ms)
    : (policy.max_block_time_ms ?? 0);
  if (dataStrategy === 'merge' && !tuning.hasMerger) {
    throw new EdgeConfigError(edgeId, 'strategy', 'backed by a payload merger', 'merge');
  }
  const common: LaneBounds = {
    max_queue_items: items,
    max_queue_ms: maxMs,
    max_queue_bytes: bytes,
    max_block_time_ms: blockMs,
    max_blocked_producers: positiveInt(
      edgeId,
      'maxBlockedProducers',
      tuning.maxBlockedProducers ?? 16,
    ),
    credit_amount: positiveInt(edgeId, 'creditAmount', tuning.creditAmount ?? 1),
    sample_every: positiveInt(edgeId, 'sampleEvery', tuning.sampleEvery ?? 2),
    sync: syncConfig(edgeId, policy),
  };
  const edgeMarks = policy.watermarks;
  const hasEdgeMarks = edgeMarks.queue_items !== undefined || edgeMarks.queue_ms !== undefined;
  const dataMarks = hasEdgeMarks ? edgeMarks : { queue_items: flow.watermarks.DataLane };
  const telemetryMarks = { queue_items: flow.watermarks.TelemetryLane };
  return {
    DataLane: laneConfig(
      'DataLane',
      dataStrategy,
      watermarksFor(edgeId, dataMarks, items, maxMs),
      flow.mode_by_lane.DataLane,
      common,
    ),
    // ControlLane is never throttled or shed: no watermarks, no flow signals.
    ControlLane: laneConfig(
      'ControlLane',
      'non_blocking_priority',
      {},
      flow.mode_by_lane.ControlLane,
      common,
    ),
    TelemetryLane: laneConfig(
      'TelemetryLane',
      policy.lane_handling.TelemetryLane,
      watermarksFor(edgeId, telemetryMarks, items, maxMs),
      flow.mode_by_lane.TelemetryLane,
      common,
    ),
  };
}

/** The fields every lane of one edge shares. */
type LaneBounds = Omit<LaneConfig, 'lane' | 'strategy' | 'watermarks' | 'mode'>;

/**
 * One lane's configuration, written field by field: `{ ...bounds, lane }` takes V8 a slow path
 * (microseconds per lane), and every turn builds one buffer per graph edge.
 */
function laneConfig(
  lane: Lane,
  strategy: LaneStrategy,
  watermarks: LaneWatermarks,
  mode: FlowMode,
  b: LaneBounds,
): LaneConfig {
  return {
    lane,
    strategy,
    max_queue_items: b.max_queue_items,
    max_queue_ms: b.max_queue_ms,
    max_queue_bytes: b.max_queue_bytes,
    max_block_time_ms: b.max_block_time_ms,
    max_blocked_producers: b.max_blocked_producers,
    watermarks,
    mode,
    credit_amount: b.credit_amount,
    sample_every: b.sample_every,
    sync: b.sync,
  };
}
