/**
 * RK-24 contract guard, epoch validity: every event entering the runtime (ingress) and every
 * output leaving a node or the runtime (egress) must carry the session's current authority
 * epoch. A mismatch is rejected deterministically with a `stale_epoch_reject` decision outcome
 * (phase `scheduling_point`, scope `node_dispatch` unless told otherwise), its ControlLane signal
 * and a diagnostic; it is never retried silently and never changes the lifecycle (T12).
 * An event without an epoch is enriched from the routing view before the check (AE-004).
 */
import type { ControlSignal, DecisionOutcome } from '../../contracts/index.ts';
import { AUTHORITY_REASONS } from '../../contracts/internal.ts';
import { buildOutcome, buildSignal, type StampContext } from '../identity/stamp.ts';

/**
 * The envelope fields the epoch check reads; loose enough for the generated envelope types.
 * Events reach the guard after RK-05, so identity fields are present.
 */
export type EpochCarrier = {
  readonly session_id?: string | undefined;
  readonly turn_id?: string | undefined;
  readonly event_id?: string | undefined;
  readonly pipeline_version?: string | undefined;
  readonly node_id?: string | undefined;
  readonly authority_epoch?: number | undefined;
};

// Keeps outputs contract-valid (non-empty ids) should an unvalidated event slip through.
const UNKNOWN = 'unknown';
const text = (value: string | undefined): string =>
  value !== undefined && value.length > 0 ? value : UNKNOWN;

/** The routing view's knowledge of a session's authority (CP-08 snapshot, CP-07 epoch). */
export type RoutingEpochView = { readonly authority_epoch: number };

/** Where the check runs. */
type EpochDirection = 'ingress' | 'egress';

/** Why an event was rejected, for logs and the OR-02 authority divergence evidence. */
type StaleEpochDiagnostic = {
  readonly code: 'stale_epoch';
  readonly direction: EpochDirection;
  readonly session_id: string;
  readonly event_id: string;
  readonly expected_epoch: number;
  /** The carried epoch, or `null` when neither the event nor the routing view had one. */
  readonly received_epoch: number | null;
};

/** Options of one check: the stamp of a rejection and its scheduling-point scope. */
export type EpochCheckOptions = {
  readonly ordinal: number;
  readonly runtime_ms: number;
  readonly wall_ms: number;
  readonly scope?: 'edge_enqueue' | 'edge_dequeue' | 'node_dispatch';
};

/** Result of an epoch check. */
export type EpochCheck<TEvent extends EpochCarrier> =
  | { readonly accepted: true; readonly event: TEvent; readonly enriched: boolean }
  | {
      readonly accepted: false;
      readonly outcome: DecisionOutcome;
      readonly signal: ControlSignal;
      readonly diagnostic: StaleEpochDiagnostic;
    };

const isEpoch = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * The epoch an event is judged by: its own (carrier), else the routing view's (AE-004
 * enrichment), else none.
 */
export function enrichEpoch<TEvent extends EpochCarrier>(
  event: TEvent,
  view: RoutingEpochView | undefined,
): { readonly event: TEvent; readonly enriched: boolean } {
  if (isEpoch(event.authority_epoch)) return { event, enriched: false };
  if (view !== undefined && isEpoch(view.authority_epoch))
    return { event: { ...event, authority_epoch: view.authority_epoch }, enriched: true };
  return { event, enriched: false };
}

function check<TEvent extends EpochCarrier>(
  direction: EpochDirection,
  event: TEvent,
  expected: number,
  options: EpochCheckOptions,
  view: RoutingEpochView | undefined,
): EpochCheck<TEvent> {
  const enriched = enrichEpoch(event, view);
  const carried = enriched.event.authority_epoch;
  if (isEpoch(carried) && carried === expected)
    return { accepted: true, event: enriched.event, enriched: enriched.enriched };
  const session_id = text(event.session_id);
  const ctx: StampContext = {
    session_id,
    turn_id: event.turn_id,
    pipeline_version: text(event.pipeline_version),
    // The outcome records the epoch the rejected event claimed (0 when it claimed none).
    authority_epoch: isEpoch(carried) ? carried : 0,
    ordinal: options.ordinal,
    runtime_ms: options.runtime_ms,
    wall_ms: options.wall_ms,
  };
  const reason = AUTHORITY_REASONS.authority_epoch_mismatch;
  const outcome = buildOutcome(ctx, {
    outcome_kind: 'stale_epoch_reject',
    phase: 'scheduling_point',
    scope: options.scope ?? 'node_dispatch',
    emitted_by: 'RK-24',
    reason,
  });
  const node_id = event.node_id;
  const signal = buildSignal(ctx, {
    signal: 'stale_epoch_reject',
    emitted_by: 'RK-24',
    reason,
    ...(node_id === undefined || node_id.length === 0 ? {} : { node_id }),
  });
  const diagnostic: StaleEpochDiagnostic = {
    code: 'stale_epoch',
    direction,
    session_id,
    event_id: text(event.event_id),
    expected_epoch: expected,
    received_epoch: isEpoch(carried) ? carried : null,
  };
  return { accepted: false, outcome, signal, diagnostic };
}

/**
 * Ingress: an event from the transport, enriched from the routing view when it lacks an epoch,
 * must carry the routing view's epoch.
 */
export function checkIngressEpoch<TEvent extends EpochCarrier>(
  event: TEvent,
  view: RoutingEpochView,
  options: EpochCheckOptions,
): EpochCheck<TEvent> {
  return check('ingress', event, view.authority_epoch, options, view);
}

/**
 * Egress: an output must carry the epoch this placement is authoritative for; output of an old
 * placement (or without an epoch) is rejected, never enriched.
 */
export function checkEgressEpoch<TEvent extends EpochCarrier>(
  output: TEvent,
  authoritative_epoch: number,
  options: EpochCheckOptions,
): EpochCheck<TEvent> {
  return check('egress', output, authoritative_epoch, options, undefined);
}
