/**
 * Public types of the transport bridge: its options, what a transport sends through it, what it
 * reports when it drops runtime output, and its counters.
 */
import type {
  BusEnvelope,
  BusPayload,
  BusPort,
  ControlSignal,
  EventRecord,
} from '../../contracts/index.ts';
import type { BusLimitsOverride } from '../../contracts/internal.ts';
import type { RuntimeClock } from '../edges/index.ts';
import type { FenceCause, FenceDiagnosticCode } from '../fence/index.ts';
import type { IngressKind } from '../runtime/index.ts';

/** Options of `createTransportBridge`. */
export type TransportBridgeOptions = {
  readonly bus: BusPort;
  readonly tenant_id: string;
  readonly session_id: string;
  /** Time of fence markers and diagnostics (`at_ms`); never used to decide anything. */
  readonly clock: RuntimeClock;
  /**
   * The session's current authority epoch as the gateway knows it (e.g. from the KV lease), or
   * undefined while unknown. DataLane output of a lower epoch is dropped.
   */
  readonly authority?: () => number | undefined;
  /** Runtime output that passed the bridge: DataLane chunks, ControlLane and TelemetryLane records. */
  readonly onOutput: (envelope: BusEnvelope) => void;
  /** One dropped output; ids, codes and epochs only, never payload or text. */
  readonly onDiagnostic: (diagnostic: BridgeDiagnostic) => void;
  /** Turns remembered at once (default 64); closed turns are forgotten first, then the oldest. */
  readonly maxTurns?: number;
  /** Inbound queue bounds of the bridge's bus subscription. */
  readonly limits?: BusLimitsOverride;
  /** Pipeline version stamped on the fence's local RK-22 signals (default `pipeline-v1`). */
  readonly pipeline_version?: string;
};

/** One ingress event a transport sends: its contract record and content beside it. */
export type BridgeIngress = {
  readonly kind: IngressKind;
  readonly record: EventRecord | ControlSignal;
  /** Content the record has no field for (`text`, encoded audio); the ingress marker is added. */
  readonly payload?: { readonly [key: string]: BusPayload };
};

/** Why the bridge dropped a runtime output. */
type BridgeDiagnosticCode = FenceDiagnosticCode | 'stale_epoch_reject';

/** Diagnostic of one dropped output: identifiers, codes and epochs only. */
export type BridgeDiagnostic = {
  readonly code: BridgeDiagnosticCode;
  readonly session_id: string;
  readonly turn_id?: string;
  readonly event_id: string;
  readonly at_ms: number;
  /** `late_after_cancel`: what fenced the turn. */
  readonly fence_cause?: FenceCause;
  /** `stale_epoch_reject`: the epoch the output carried (null: none) and the current one. */
  readonly received_epoch?: number | null;
  readonly expected_epoch?: number;
};

/** Counters of a bridge. */
export type BridgeStats = {
  /** DataLane records handed to `onOutput`. */
  readonly accepted: number;
  /** DataLane records of a fenced turn dropped (`late_after_cancel`). */
  readonly fenced_late: number;
  /** DataLane records of an older authority epoch dropped (`stale_epoch_reject`). */
  readonly stale_epoch: number;
  /** DataLane records the fence refused for another reason (none expected; see diagnostics). */
  readonly refused: number;
  /** Turns remembered now (at most `maxTurns`). */
  readonly turns: number;
};

/** The transport side of one session. */
export type TransportBridge = {
  /** Subscribes to the session's lanes; resolves once no later output can be missed. */
  open(): Promise<void>;
  /**
   * Publishes one ingress event. A `cancel` or a barge-in fences its turns synchronously, during
   * the call and before the publish, so no output of them passes once `send` was called.
   */
  send(ingress: BridgeIngress): Promise<void>;
  /** True when output of `turn_id` is fenced here. */
  isFenced(turn_id: string): boolean;
  /** Current counters. */
  stats(): BridgeStats;
  /** Stops receiving; no `onOutput` call starts after it resolves. */
  close(): Promise<void>;
};
