/**
 * The ControlLane signal registry (spec/signals-and-outcomes.md) as data: who may emit each of
 * the 43 signals, which envelope fields it needs, and where it sits in a turn's lifecycle.
 * A test proves this table and control-signal.v1.schema.json say the same thing.
 */
import type {
  ControlSignal,
  ControlSignalEmitter,
  ControlSignalName,
  EventScope,
  TurnState,
} from './generated/types.ts';
import {
  ABORT_REASONS,
  AUTHORITY_REASONS,
  CP_ADMISSION_REASONS,
  PRE_TURN_REASONS,
  SCHEDULING_REASONS,
  SIGNAL_REASONS,
} from './reason-codes.ts';

/**
 * Where a signal sits in a turn's lifecycle:
 * - `proposal`: `turn_open_proposed`, RK-02's non-authoritative intent (`Idle -> Opening`).
 * - `open`: `turn_open` (`Opening -> Active`).
 * - `pre_turn`: admission and authority outcomes decided while `Opening`; all but `admit` end the
 *   proposal (`Opening -> Idle`). `stale_epoch_reject`/`deauthorized_drain` are also emitted in a
 *   turn (scheduling-point diagnostics, revoke before `abort(authority_loss)`) without a transition.
 * - `terminal`: `commit`, `abort` (`Active -> Terminal`); exactly one per accepted turn.
 * - `close`: `close` (`Terminal -> Closed`).
 * - `in_turn`: emitted while a pipeline executes (interruption, pressure, budget, provider,
 *   delivery, recording); never moves the lifecycle by itself.
 * - `session`: authority/migration markers and connection state, independent of turn state.
 */
export type SignalLifecycle =
  'proposal' | 'open' | 'pre_turn' | 'terminal' | 'close' | 'in_turn' | 'session';

/** Topic a signal belongs to, as grouped in the registry table of the spec. */
type SignalFamily =
  | 'lifecycle'
  | 'interruption'
  | 'edge_pressure'
  | 'budget'
  | 'adaptation'
  | 'sync'
  | 'provider'
  | 'authority_marker'
  | 'admission'
  | 'authority_outcome'
  | 'connection'
  | 'delivery'
  | 'recording';

/** Envelope fields a signal may require beyond the common ControlLane envelope. */
type SignalExtraField = Extract<
  keyof ControlSignal,
  | 'turn_id'
  | 'reason'
  | 'scope'
  | 'edge_id'
  | 'target_lane'
  | 'amount'
  | 'seq_range'
  | 'sync_domain'
  | 'discontinuity_id'
  | 'authority_epoch'
>;

/** Registry entry of one ControlLane signal. */
export interface SignalSpec {
  /** The only legal `emitted_by` values (owning modules). */
  readonly emitted_by: readonly ControlSignalEmitter[];
  /** Fields the schema requires for this signal on top of the envelope. */
  readonly required_fields: readonly SignalExtraField[];
  /** Required `event_scope`, or null when the schema leaves it open. */
  readonly event_scope: EventScope | null;
  /** Always `ControlLane`: every signal travels on the control lane. */
  readonly lane: 'ControlLane';
  /** Where the signal sits in a turn's lifecycle. */
  readonly lifecycle: SignalLifecycle;
  /** Registry group. */
  readonly family: SignalFamily;
  /** The `turn_transition` this signal triggers, or null when it records none. */
  readonly transition: { readonly from: TurnState; readonly to: TurnState } | null;
  /** Reason codes the spec documents for it; the schema accepts any non-empty reason. */
  readonly known_reasons: readonly string[];
}

interface SpecExtras {
  readonly scope?: EventScope;
  readonly transition?: readonly [TurnState, TurnState];
  readonly reasons?: readonly string[];
}

/** Builds a frozen entry; positional so the 43-row table below stays one line per signal. */
function spec(
  lifecycle: SignalLifecycle,
  family: SignalFamily,
  by: readonly ControlSignalEmitter[],
  needs: readonly SignalExtraField[],
  extras: SpecExtras = {},
): SignalSpec {
  const transition = extras.transition;
  return Object.freeze({
    emitted_by: Object.freeze([...by]),
    required_fields: Object.freeze([...needs]),
    event_scope: extras.scope ?? null,
    lane: 'ControlLane',
    lifecycle,
    family,
    transition: transition ? Object.freeze({ from: transition[0], to: transition[1] }) : null,
    known_reasons: Object.freeze([...(extras.reasons ?? [])]),
  });
}

const EDGE = ['edge_id', 'target_lane'] as const;
const TURN = ['turn_id'] as const;
const REASON = ['reason'] as const;
const CANCELLERS = ['RK-06', 'RK-16'] as const;
const ADMITTERS = ['RK-25', 'CP-05'] as const;
const ENDS_PROPOSAL = ['Opening', 'Idle'] as const;
const R = SIGNAL_REASONS;
const P = PRE_TURN_REASONS;
const CP = CP_ADMISSION_REASONS;
const A = AUTHORITY_REASONS;

const turn = (
  lifecycle: SignalLifecycle,
  transition: readonly [TurnState, TurnState],
  needs: readonly SignalExtraField[] = TURN,
  reasons: readonly string[] = [],
): SignalSpec =>
  spec(lifecycle, 'lifecycle', ['RK-03'], needs, { scope: 'turn', transition, reasons });
const inTurn = (
  family: SignalFamily,
  by: readonly ControlSignalEmitter[],
  needs: readonly SignalExtraField[],
  ...reasons: string[]
): SignalSpec => spec('in_turn', family, by, needs, { reasons });
const connection = (...reasons: string[]): SignalSpec =>
  spec('session', 'connection', ['RK-23'], [], { reasons });
const delivery = (...reasons: string[]): SignalSpec =>
  spec('in_turn', 'delivery', ['RK-22', 'RK-23'], TURN, { scope: 'turn', reasons });
const marker = (...reasons: string[]): SignalSpec =>
  spec('session', 'authority_marker', ['CP-07', 'CP-08'], ['authority_epoch'], { reasons });
const admission = (
  transition: typeof ENDS_PROPOSAL | undefined,
  ...reasons: string[]
): SignalSpec =>
  spec('pre_turn', 'admission', ADMITTERS, REASON, {
    scope: 'session',
    reasons,
    ...(transition ? { transition } : {}),
  });
const authority = (...reasons: string[]): SignalSpec =>
  spec('pre_turn', 'authority_outcome', ['RK-24'], ['authority_epoch', 'reason'], {
    transition: ENDS_PROPOSAL,
    reasons,
  });

/** Every ControlLane signal, keyed by name, in the schema's enum order. */
export const SIGNAL_REGISTRY: Readonly<Record<ControlSignalName, SignalSpec>> = Object.freeze({
  turn_open_proposed: spec('proposal', 'lifecycle', ['RK-02'], [], {
    scope: 'session',
    transition: ['Idle', 'Opening'],
    reasons: [R.session_turn_intent],
  }),
  turn_open: turn('open', ['Opening', 'Active']),
  commit: turn('terminal', ['Active', 'Terminal']),
  abort: turn(
    'terminal',
    ['Active', 'Terminal'],
    [...TURN, 'reason'],
    Object.values(ABORT_REASONS),
  ),
  close: turn('close', ['Terminal', 'Closed']),
  barge_in: inTurn('interruption', CANCELLERS, []),
  stop: inTurn('interruption', CANCELLERS, []),
  cancel: inTurn('interruption', CANCELLERS, ['scope']),
  watermark: inTurn('edge_pressure', ['RK-13'], [...EDGE, 'reason'], R.edge_watermark_high),
  budget_warning: inTurn('budget', ['RK-17'], REASON, R.node_budget_threshold_exceeded),
  budget_exhausted: inTurn('budget', ['RK-17'], REASON, R.node_timeout_or_failure),
  degrade: inTurn('adaptation', ['RK-13', 'RK-17'], REASON),
  fallback: inTurn('adaptation', ['RK-13', 'RK-17'], REASON),
  discontinuity: inTurn(
    'sync',
    ['RK-15'],
    ['sync_domain', 'discontinuity_id', 'reason'],
    R.sync_domain_partial_loss,
  ),
  drop_notice: inTurn(
    'edge_pressure',
    ['RK-12', 'RK-13'],
    [...EDGE, 'reason', 'seq_range'],
    R.queue_pressure_drop,
    R.sync_atomic_drop,
  ),
  flow_xoff: inTurn('edge_pressure', ['RK-14'], [...EDGE, 'reason'], R.backpressure_asserted),
  flow_xon: inTurn('edge_pressure', ['RK-14'], EDGE),
  credit_grant: inTurn('edge_pressure', ['RK-14'], [...EDGE, 'amount']),
  provider_error: inTurn('provider', ['RK-11'], REASON),
  circuit_event: inTurn('provider', ['RK-11'], REASON),
  provider_switch: inTurn('provider', ['RK-11'], REASON),
  lease_issued: marker(),
  lease_rotated: marker(R.authority_epoch_rotation),
  migration_start: marker(R.region_failover_start),
  migration_finish: marker(R.region_failover_complete),
  session_handoff: marker(R.authoritative_handoff),
  admit: admission(undefined, CP.cp_admission_allowed),
  reject: admission(
    ENDS_PROPOSAL,
    P.snapshot_invalid_or_missing,
    P.admission_capacity_reject,
    P.turn_start_bundle_resolution_failed,
    P.plan_materialization_failed,
    CP.cp_admission_reject_policy,
    CP.cp_admission_invalid_input,
  ),
  defer: admission(
    ENDS_PROPOSAL,
    P.snapshot_invalid_or_missing,
    P.admission_capacity_defer,
    P.turn_start_bundle_resolution_failed,
    P.plan_materialization_failed,
    CP.cp_admission_defer_capacity,
  ),
  shed: inTurn('admission', ['RK-25'], REASON, SCHEDULING_REASONS.scheduling_point_shed),
  stale_epoch_reject: authority(A.authority_epoch_mismatch),
  deauthorized_drain: authority(A.authority_revoked_before_open, A.authority_revoked_in_turn),
  connected: connection(),
  reconnecting: connection(),
  disconnected: connection(R.transport_disconnect_or_stall),
  ended: connection(),
  silence: connection(),
  stall: connection(R.transport_disconnect_or_stall),
  output_accepted: delivery(),
  playback_started: delivery(),
  playback_completed: delivery(),
  playback_cancelled: delivery(R.cancel_fence_applied),
  recording_level_downgraded: inTurn('recording', ['OR-02'], REASON, R.stage_a_detail_overflow),
});

/** All 43 signal names, in the schema's enum order. */
export const SIGNAL_NAMES: readonly ControlSignalName[] = Object.freeze(
  Object.keys(SIGNAL_REGISTRY) as ControlSignalName[],
);

/** Tells whether `emitter` is a legal `emitted_by` for `signal`. */
export function canEmit(signal: ControlSignalName, emitter: ControlSignalEmitter): boolean {
  return SIGNAL_REGISTRY[signal].emitted_by.includes(emitter);
}

/** Names of the signals with the given lifecycle classification, in registry order. */
export function signalsWithLifecycle(lifecycle: SignalLifecycle): ControlSignalName[] {
  return SIGNAL_NAMES.filter((name) => SIGNAL_REGISTRY[name].lifecycle === lifecycle);
}
