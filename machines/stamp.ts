/**
 * Builds contract-valid outputs (control signals, decision outcomes, turn transitions) from a
 * machine's identity and the time carried by the event being handled. Pure: no clock, no I/O.
 * Idempotency keys and bus-wide runtime sequences are stamped later by the runtime (RK-21).
 */
import type { ControlSignal, DecisionOutcome, TurnTransition } from '../contracts/index.ts';
import type { ControlSignalEmitter, ControlSignalName, TurnState } from '../contracts/internal.ts';

/** Identity a machine stamps on everything it emits. */
export type StampIdentity = {
  readonly session_id: string;
  readonly pipeline_version: string;
  readonly authority_epoch: number;
  readonly turn_id?: string | undefined;
};

/** Runtime and wall-clock time of the moment an output is produced (ms, integers >= 0). */
export type StampTime = { readonly runtime_ms: number; readonly wall_ms: number };

/** Fields a machine chooses for one control signal; the envelope is filled in by `stampSignal`. */
export type SignalFields = {
  readonly signal: ControlSignalName;
  readonly emitted_by: ControlSignalEmitter;
  readonly event_scope: 'session' | 'turn';
  readonly reason?: string;
  readonly scope?: 'session' | 'turn' | 'node' | 'provider_invocation';
  readonly node_id?: string;
  readonly edge_id?: string;
  readonly provider_invocation_id?: string;
  readonly target_lane?: 'DataLane' | 'ControlLane' | 'TelemetryLane';
  readonly seq_range?: { start: number; end: number };
  readonly amount?: number;
  readonly sync_domain?: string;
  readonly discontinuity_id?: string;
  /** The event that caused this one (e.g. the ingress transcript a proposal answers). */
  readonly causal_parent_id?: string;
};

/** Replaces `/` and whitespace so ids can be embedded in slash-separated ids (RK-21). */
export function idPart(value: string): string {
  return value.replace(/[/\s]/g, '_');
}

/** RK-21 event id: `evt/<session>/<turn or session>/<6-digit ordinal>`. */
export function eventId(identity: StampIdentity, ordinal: number): string {
  const owner = identity.turn_id ?? identity.session_id;
  return `evt/${idPart(identity.session_id)}/${idPart(owner)}/${String(ordinal).padStart(6, '0')}`;
}

/** Clamps a time value to a non-negative integer, as the envelope requires. */
function ms(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** Stamps a ControlLane signal with the full event envelope. `ordinal` orders the machine's outputs. */
export function stampSignal(
  identity: StampIdentity,
  time: StampTime,
  ordinal: number,
  fields: SignalFields,
): ControlSignal {
  const signal: ControlSignal = {
    schema_version: 'v1.0',
    event_scope: fields.event_scope,
    session_id: identity.session_id,
    pipeline_version: identity.pipeline_version,
    event_id: eventId(identity, ordinal),
    lane: 'ControlLane',
    transport_sequence: ordinal,
    runtime_sequence: ordinal,
    runtime_timestamp_ms: ms(time.runtime_ms),
    wall_clock_timestamp_ms: ms(time.wall_ms),
    payload_class: 'metadata',
    authority_epoch: identity.authority_epoch,
    signal: fields.signal,
    emitted_by: fields.emitted_by,
  };
  if (identity.turn_id !== undefined) signal.turn_id = identity.turn_id;
  const optional = [
    'reason',
    'scope',
    'node_id',
    'edge_id',
    'provider_invocation_id',
    'target_lane',
    'seq_range',
    'amount',
    'sync_domain',
    'discontinuity_id',
    'causal_parent_id',
  ] as const;
  for (const key of optional) {
    const value = fields[key];
    if (value !== undefined) Object.assign(signal, { [key]: value });
  }
  return signal;
}

/** Fields a machine chooses for one decision outcome. */
export type OutcomeFields = Pick<
  DecisionOutcome,
  'outcome_kind' | 'phase' | 'scope' | 'emitted_by' | 'reason'
> & {
  readonly with_epoch?: boolean;
};

/** Stamps a decision outcome; `turn_id` is set when the identity has one, the epoch when asked or required. */
export function stampOutcome(
  identity: StampIdentity,
  time: StampTime,
  ordinal: number,
  fields: OutcomeFields,
): DecisionOutcome {
  const outcome: DecisionOutcome = {
    outcome_kind: fields.outcome_kind,
    phase: fields.phase,
    scope: fields.scope,
    session_id: identity.session_id,
    event_id: `${eventId(identity, ordinal)}/${fields.outcome_kind}`,
    runtime_timestamp_ms: ms(time.runtime_ms),
    wall_clock_timestamp_ms: ms(time.wall_ms),
    emitted_by: fields.emitted_by,
    reason: fields.reason,
  };
  if (identity.turn_id !== undefined) outcome.turn_id = identity.turn_id;
  const epochRequired =
    fields.outcome_kind === 'stale_epoch_reject' || fields.outcome_kind === 'deauthorized_drain';
  if (fields.with_epoch === true || epochRequired)
    outcome.authority_epoch = identity.authority_epoch;
  return outcome;
}

/** A turn lifecycle transition record (`#turn_transition`). */
export function transition(
  from_state: TurnState,
  trigger: TurnTransition['trigger'],
  to_state: TurnState,
): TurnTransition {
  return { from_state, trigger, to_state, deterministic: true } as TurnTransition;
}
