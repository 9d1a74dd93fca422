/**
 * The OR-01 telemetry port: what the runtime tells a telemetry backend (OpenTelemetry in
 * adapters/telemetry/otel) about turns, nodes and provider attempts. Best effort by contract:
 * every call returns at once, never throws into the runtime and never receives user content
 * (ids, states, classes and times only). A runtime without a port pays one `undefined` check.
 */
import type { ControlSignal, InvocationAttempt, Lane } from '../generated/types.ts';

/** Which turn a node belongs to, and where the session runs. */
export type TelemetryTurnScope = {
  readonly tenant_id: string;
  readonly session_id: string;
  readonly turn_id: string;
  readonly authority_epoch: number;
};

/** A node of a turn's graph starting or ending, at a wall-clock time (ms since the epoch). */
export type TelemetryNode = TelemetryTurnScope & {
  readonly node_id: string;
  readonly node_type: string;
  readonly wall_ms: number;
};

/** How a node ended: its work done, failed, or stopped by the turn's end (cancel, barge-in). */
export type TelemetryNodeStatus = 'done' | 'failed' | 'stopped';

/** Why an output was dropped before it reached the transport. */
export type TelemetryDropReason =
  /** A TelemetryLane record shed because its lane was backed up. */
  | 'lane_backlog'
  /** An output held back by the egress fence (late after a cancel, stale epoch). */
  | 'fenced';

/** The runtime's telemetry sink; every method is best effort and must not throw. */
export interface RuntimeTelemetryPort {
  /** A ControlLane signal the runtime published (turn lifecycle, cancels, provider errors). */
  signal(tenant_id: string, signal: ControlSignal): void;
  /** A node of a turn started. */
  nodeStarted(node: TelemetryNode): void;
  /** A node of a turn ended. */
  nodeEnded(node: TelemetryNode & { readonly status: TelemetryNodeStatus }): void;
  /** One provider attempt of a node ended (its latency and normalized outcome). */
  attempt(tenant_id: string, node_id: string, attempt: InvocationAttempt): void;
  /** An output of `lane` was dropped. */
  dropped(tenant_id: string, session_id: string, lane: Lane, reason: TelemetryDropReason): void;
}
