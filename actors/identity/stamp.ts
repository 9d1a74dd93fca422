/**
 * Builds contract-valid control signals and decision outcomes for actors (RK-24, RK-25, CP-05)
 * from a stamp context: who (session, turn, epoch), when (injected runtime and wall-clock ms)
 * and which ordinal. Pure: no clock, no I/O; ids follow RK-21.
 */
import type { ControlSignal, DecisionOutcome } from '../../contracts/index.ts';
import type { ControlSignalEmitter, ControlSignalName } from '../../contracts/internal.ts';
import { eventId, idempotencyKey } from './ids.ts';

/** Identity, time and ordinal an actor stamps one output with. */
export type StampContext = {
  readonly session_id: string;
  readonly turn_id?: string | undefined;
  readonly pipeline_version: string;
  /** The epoch stamped on signals (ControlLane requires one) and authority outcomes. */
  readonly authority_epoch: number;
  /** Per-owner ordinal of the output (RK-21 event id suffix). */
  readonly ordinal: number;
  readonly runtime_ms: number;
  readonly wall_ms: number;
};

/** Clamps any value to a non-negative safe integer (non-numbers and NaN become 0). */
export function nonNegativeInt(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return 0;
  return Math.min(Math.floor(value), Number.MAX_SAFE_INTEGER);
}

function hasTurn(ctx: StampContext): ctx is StampContext & { readonly turn_id: string } {
  return typeof ctx.turn_id === 'string' && ctx.turn_id.length > 0;
}

/** Fields an actor chooses for one control signal. */
export type SignalSpec = {
  readonly signal: ControlSignalName;
  readonly emitted_by: ControlSignalEmitter;
  readonly reason?: string;
  readonly scope?: 'session' | 'turn' | 'node' | 'provider_invocation';
  readonly node_id?: string;
  readonly edge_id?: string;
  /** Defaults to `turn` when the context has a turn, else `session`. */
  readonly event_scope?: 'session' | 'turn';
};

/** A ControlLane signal with the full envelope, RK-21 event id and idempotency key. */
export function buildSignal(ctx: StampContext, spec: SignalSpec): ControlSignal {
  const event_scope = spec.event_scope ?? (hasTurn(ctx) ? 'turn' : 'session');
  const event_id = eventId(ctx.session_id, ctx.turn_id, ctx.ordinal);
  const signal: ControlSignal = {
    schema_version: 'v1.0',
    event_scope,
    session_id: ctx.session_id,
    pipeline_version: ctx.pipeline_version,
    event_id,
    idempotency_key: idempotencyKey(ctx.session_id, ctx.turn_id, event_id),
    lane: 'ControlLane',
    transport_sequence: nonNegativeInt(ctx.ordinal),
    runtime_sequence: nonNegativeInt(ctx.ordinal),
    runtime_timestamp_ms: nonNegativeInt(ctx.runtime_ms),
    wall_clock_timestamp_ms: nonNegativeInt(ctx.wall_ms),
    payload_class: 'metadata',
    authority_epoch: nonNegativeInt(ctx.authority_epoch),
    signal: spec.signal,
    emitted_by: spec.emitted_by,
  };
  if (hasTurn(ctx)) signal.turn_id = ctx.turn_id;
  if (spec.reason !== undefined) signal.reason = spec.reason;
  if (spec.scope !== undefined) signal.scope = spec.scope;
  if (spec.node_id !== undefined && spec.node_id.length > 0) signal.node_id = spec.node_id;
  if (spec.edge_id !== undefined && spec.edge_id.length > 0) signal.edge_id = spec.edge_id;
  return signal;
}

/** Fields an actor chooses for one decision outcome. */
export type OutcomeSpec = Pick<
  DecisionOutcome,
  'outcome_kind' | 'phase' | 'scope' | 'emitted_by' | 'reason'
> & {
  /** Stamp the context's epoch even when the outcome kind does not require it. */
  readonly with_epoch?: boolean;
};

/** A decision outcome; `event_id` is the RK-21 id suffixed with the outcome kind. */
export function buildOutcome(ctx: StampContext, spec: OutcomeSpec): DecisionOutcome {
  const outcome: DecisionOutcome = {
    outcome_kind: spec.outcome_kind,
    phase: spec.phase,
    scope: spec.scope,
    session_id: ctx.session_id,
    event_id: `${eventId(ctx.session_id, ctx.turn_id, ctx.ordinal)}/${spec.outcome_kind}`,
    runtime_timestamp_ms: nonNegativeInt(ctx.runtime_ms),
    wall_clock_timestamp_ms: nonNegativeInt(ctx.wall_ms),
    emitted_by: spec.emitted_by,
    reason: spec.reason,
  };
  if (hasTurn(ctx)) outcome.turn_id = ctx.turn_id;
  const authority =
    spec.outcome_kind === 'stale_epoch_reject' || spec.outcome_kind === 'deauthorized_drain';
  if (authority || spec.with_epoch === true)
    outcome.authority_epoch = nonNegativeInt(ctx.authority_epoch);
  return outcome;
}
