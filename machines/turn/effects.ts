/**
 * What the turn machine emits, as pure functions of its context and the handled event: each
 * builder appends contract-valid artifacts (stamped by `stamp.ts` with consecutive ordinals and
 * the handled event's time) or machine facts to a batch, and `flush` turns a batch into xstate
 * actions (`emit`, plus a `turn.output` relay to the parent when the turn is a session's child).
 */
import type { TurnTransition } from '../../contracts/index.ts';
import type { AbortReason, TurnState } from '../../contracts/internal.ts';
import { later, nonNegativeInt, timeAfter, timeOf, type EventTime } from '../node/clock.ts';
import {
  stampOutcome,
  stampSignal,
  transition,
  type OutcomeFields,
  type SignalFields,
  type StampIdentity,
} from '../stamp.ts';
import {
  TURN_POLICY_DEFAULTS,
  type ConnectionSignal,
  type EvidenceRequested,
  type NoLegalPathReason,
  type PreTurnOutcomeKind,
  type TerminalCandidate,
  type TurnContext,
  type TurnEmitted,
  type TurnInput,
  type TurnOutputEvent,
  type TurnPolicies,
} from './types.ts';

/** Outputs of one action, their last ordinal and the time they were stamped with. */
export type Batch = {
  readonly outputs: TurnEmitted[];
  ordinal: number;
  readonly time: EventTime;
};

/** The subset of xstate's action enqueuer `flush` needs. */
export type Enqueuer = {
  assign(values: Partial<TurnContext>): void;
  emit(output: TurnEmitted): void;
  sendParent(event: TurnOutputEvent): void;
};

const POLICY_KINDS: readonly string[] = ['defer', 'reject'];
const LATE_POLICIES: readonly string[] = ['drop', 'remap', 'diagnostics'];

function kindOr(value: unknown, fallback: PreTurnOutcomeKind): PreTurnOutcomeKind {
  return typeof value === 'string' && POLICY_KINDS.includes(value)
    ? (value as PreTurnOutcomeKind)
    : fallback;
}

/** Fills missing or unknown policy values with the defaults; never throws. */
function resolvePolicies(input: Partial<TurnPolicies> | undefined): TurnPolicies {
  const p = input ?? {};
  const d = TURN_POLICY_DEFAULTS;
  const late = p.late_event;
  return {
    snapshot_invalid: kindOr(p.snapshot_invalid, d.snapshot_invalid),
    capacity: kindOr(p.capacity, d.capacity),
    bundle_failure: kindOr(p.bundle_failure, d.bundle_failure),
    plan_failure: kindOr(p.plan_failure, d.plan_failure),
    late_event: typeof late === 'string' && LATE_POLICIES.includes(late) ? late : d.late_event,
    evidence_timeout_ms:
      p.evidence_timeout_ms === undefined
        ? d.evidence_timeout_ms
        : Math.max(1, nonNegativeInt(p.evidence_timeout_ms)),
  };
}

/** The initial context of a turn. */
export function initialContext(input: TurnInput): TurnContext {
  return {
    session_id: input.session_id,
    turn_id: input.turn_id,
    pipeline_version: input.pipeline_version,
    authority_epoch: nonNegativeInt(input.authority_epoch),
    policies: resolvePolicies(input.policies),
    input_id: typeof input.input_id === 'string' ? input.input_id : null,
    services: input.services,
    ordinal: 0,
    now: { at_ms: 0, wall_ms: 0 },
    plan_request: null,
    plan_hash: null,
    plan: null,
    proposed_at_ms: null,
    opened_at_ms: null,
    cancel_accepted_at_ms: null,
    candidate: null,
    evidence_requests: 0,
    evidence: null,
  };
}

/**
 * Time of the handled event: its own `at_ms`/`wall_ms` (never before the last handled event),
 * or, for the evidence timeout (a delayed event without time), the request time plus the delay.
 */
export function eventTime(context: TurnContext, event: object): EventTime {
  if ('at_ms' in event && typeof event.at_ms === 'number') {
    const wall =
      'wall_ms' in event && typeof event.wall_ms === 'number' ? event.wall_ms : undefined;
    return timeOf(
      context.now,
      wall === undefined ? { at_ms: event.at_ms } : { at_ms: event.at_ms, wall_ms: wall },
    );
  }
  const wait = context.evidence;
  if (wait === null) return context.now;
  return later(context.now, timeAfter(wait.requested, context.policies.evidence_timeout_ms));
}

/** Starts an empty batch stamped at `time`. */
export function batch(context: TurnContext, time: EventTime): Batch {
  return { outputs: [], ordinal: context.ordinal, time };
}

function identity(context: TurnContext, epoch: number): StampIdentity {
  return {
    session_id: context.session_id,
    pipeline_version: context.pipeline_version,
    authority_epoch: epoch,
    turn_id: context.turn_id,
  };
}

/** Appends a control signal; `epoch` defaults to the turn's. */
export function addSignal(
  b: Batch,
  context: TurnContext,
  fields: SignalFields,
  epoch = context.authority_epoch,
): void {
  b.ordinal += 1;
  const time = { runtime_ms: b.time.at_ms, wall_ms: b.time.wall_ms };
  const signal = stampSignal(identity(context, epoch), time, b.ordinal, fields);
  b.outputs.push({ type: 'control.signal', signal });
}

/** Appends a decision outcome; `epoch` defaults to the turn's. */
export function addOutcome(
  b: Batch,
  context: TurnContext,
  fields: OutcomeFields,
  epoch = context.authority_epoch,
): void {
  b.ordinal += 1;
  const time = { runtime_ms: b.time.at_ms, wall_ms: b.time.wall_ms };
  const outcome = stampOutcome(identity(context, epoch), time, b.ordinal, fields);
  b.outputs.push({ type: 'decision.outcome', outcome });
}

/** Appends a `turn_transition` record of this turn (no ordinal: transitions carry no event id). */
export function addTransition(
  b: Batch,
  context: TurnContext,
  from: TurnState,
  trigger: TurnTransition['trigger'],
  to: TurnState,
): void {
  b.outputs.push({
    type: 'turn.transition',
    turn_id: context.turn_id,
    transition: transition(from, trigger, to),
  });
}

/** Emits a batch in order (relaying each output to a parent session) and records its ordinal and time. */
export function flush(
  enqueue: Enqueuer,
  hasParent: boolean,
  context: TurnContext,
  b: Batch,
  updates: Partial<TurnContext> = {},
): void {
  enqueue.assign({ ...updates, ordinal: b.ordinal, now: b.time });
  for (const output of b.outputs) {
    enqueue.emit(output);
    if (hasParent)
      enqueue.sendParent({
        type: 'turn.output',
        turn_id: context.turn_id,
        at_ms: b.time.at_ms,
        wall_ms: b.time.wall_ms,
        output,
      });
  }
}

/** T12: RK-24 rejects an event or output stamped with another epoch; no lifecycle change. */
export function addStaleEpochReject(
  b: Batch,
  context: TurnContext,
  epoch: number,
  node_id: string | undefined,
): void {
  const reason = 'authority_epoch_mismatch';
  // In-execution stale diagnostics are scheduling-point outcomes (lifecycle.md assertion 6).
  addOutcome(
    b,
    context,
    {
      outcome_kind: 'stale_epoch_reject',
      phase: 'scheduling_point',
      scope: 'node_dispatch',
      emitted_by: 'RK-24',
      reason,
    },
    epoch,
  );
  const fields: SignalFields = {
    signal: 'stale_epoch_reject',
    emitted_by: 'RK-24',
    event_scope: 'turn',
    reason,
    ...(node_id === undefined || node_id.length === 0 ? {} : { node_id }),
  };
  addSignal(b, context, fields, epoch);
}

/** Rank 1: RK-24 `deauthorized_drain` (phase `active_turn`, scope `turn`). */
export function addDeauthorizedDrain(b: Batch, context: TurnContext): void {
  const reason = 'authority_revoked_in_turn';
  addOutcome(b, context, {
    outcome_kind: 'deauthorized_drain',
    phase: 'active_turn',
    scope: 'turn',
    emitted_by: 'RK-24',
    reason,
  });
  addSignal(b, context, {
    signal: 'deauthorized_drain',
    emitted_by: 'RK-24',
    event_scope: 'turn',
    reason,
  });
}

/** Barge-in: RK-06 `barge_in`, then the RK-16 turn `cancel`. */
export function addBargeIn(b: Batch, context: TurnContext): void {
  addSignal(b, context, { signal: 'barge_in', emitted_by: 'RK-06', event_scope: 'turn' });
  addCancel(b, context);
}

/** RK-16 `cancel` with scope `turn`: the turn's egress is fenced and its nodes are cancelled. */
export function addCancel(b: Batch, context: TurnContext): void {
  addSignal(b, context, {
    signal: 'cancel',
    emitted_by: 'RK-16',
    event_scope: 'turn',
    scope: 'turn',
  });
}

/**
 * RK-22 `playback_cancelled` (`cancel_fence_applied`): the turn's egress is fenced and the
 * transport flushes what it still plays of the reply. Emitted once per turn that ends early,
 * before its abort, whether or not any output had been accepted, so the ControlLane sequence
 * does not depend on how far the reply got.
 */
export function addPlaybackCancelled(b: Batch, context: TurnContext): void {
  addSignal(b, context, {
    signal: 'playback_cancelled',
    emitted_by: 'RK-22',
    event_scope: 'turn',
    reason: 'cancel_fence_applied',
  });
}

const TEARDOWN_REASON = 'transport_disconnect_or_stall';

/** An RK-23 connection signal scoped to the turn (`disconnected`/`stall` carry the rank-5 reason). */
export function addConnectionSignal(
  b: Batch,
  context: TurnContext,
  signal: ConnectionSignal,
): void {
  const teardown = signal === 'disconnected' || signal === 'stall' || signal === 'ended';
  addSignal(b, context, {
    signal,
    emitted_by: 'RK-23',
    event_scope: 'turn',
    ...(teardown ? { reason: TEARDOWN_REASON } : {}),
  });
}

/**
 * Rank 5: the RK-23 signals before the abort: `disconnected` and `stall` for a lost or stalled
 * connection, `ended` when the transport ended the session.
 */
export function addTransportLoss(b: Batch, context: TurnContext, signal: ConnectionSignal): void {
  if (signal === 'ended') {
    addConnectionSignal(b, context, 'ended');
    return;
  }
  addConnectionSignal(b, context, 'disconnected');
  addConnectionSignal(b, context, 'stall');
}

/** Asks the runtime to append the OR-02 baseline with `terminal`; returns the context updates. */
export function addEvidenceRequest(
  b: Batch,
  context: TurnContext,
  terminal: TerminalCandidate,
): Partial<TurnContext> {
  const n = context.evidence_requests + 1;
  const request_id = `${context.turn_id}/evidence/${n}`;
  const cancelled = terminal.signal === 'abort' && terminal.reason === 'cancelled';
  const cancel_accepted_at_ms = context.cancel_accepted_at_ms ?? (cancelled ? b.time.at_ms : null);
  const request: EvidenceRequested = {
    type: 'evidence.requested',
    request_id,
    session_id: context.session_id,
    turn_id: context.turn_id,
    authority_epoch: context.authority_epoch,
    plan_hash: context.plan_hash,
    terminal,
    turn_open_proposed_at_ms: context.proposed_at_ms,
    turn_open_at_ms: context.opened_at_ms,
    cancel_accepted_at_ms,
    at_ms: b.time.at_ms,
    wall_ms: b.time.wall_ms,
  };
  b.outputs.push(request);
  return {
    candidate: terminal,
    evidence_requests: n,
    evidence: { request_id, request, requested: b.time },
    cancel_accepted_at_ms,
  };
}

/** The terminal signal (`commit` or `abort(reason)`), then `Active -(<signal>)-> Terminal`. */
export function addTerminal(b: Batch, context: TurnContext, terminal: TerminalCandidate): void {
  if (terminal.signal === 'commit') {
    addSignal(b, context, { signal: 'commit', emitted_by: 'RK-03', event_scope: 'turn' });
    addTransition(b, context, 'Active', 'commit', 'Terminal');
    return;
  }
  addSignal(b, context, {
    signal: 'abort',
    emitted_by: 'RK-03',
    event_scope: 'turn',
    reason: terminal.reason,
  });
  addTransition(b, context, 'Active', 'abort', 'Terminal');
}

/** `close`, then `Terminal -(close)-> Closed`. */
export function addClose(b: Batch, context: TurnContext): void {
  addSignal(b, context, { signal: 'close', emitted_by: 'RK-03', event_scope: 'turn' });
  addTransition(b, context, 'Terminal', 'close', 'Closed');
}

const NO_LEGAL_PATH: readonly string[] = [
  'budget_exhausted',
  'execution_plan_denied',
  'deterministic_reason',
];

/** Rank 7: a documented code, else the catch-all `deterministic_reason`. */
export function noLegalPathReason(value: unknown): NoLegalPathReason {
  return typeof value === 'string' && NO_LEGAL_PATH.includes(value)
    ? (value as NoLegalPathReason)
    : 'deterministic_reason';
}

/** An abort candidate with a fixed reason. */
export function abortWith(reason: AbortReason): TerminalCandidate {
  return { signal: 'abort', reason };
}

/** T11 `remap`: asks the session for a new `turn_open_proposed`; the turn stays `Closed`. */
export function addLateEventRemap(b: Batch, context: TurnContext, event_type: string): void {
  b.outputs.push({
    type: 'turn.late_event.remapped',
    session_id: context.session_id,
    turn_id: context.turn_id,
    event_type,
    at_ms: b.time.at_ms,
    wall_ms: b.time.wall_ms,
  });
}

/** T11 `diagnostics`: reports the late event; nothing else happens. */
export function addLateEventReport(b: Batch, context: TurnContext, event_type: string): void {
  b.outputs.push({
    type: 'turn.late_event.reported',
    session_id: context.session_id,
    turn_id: context.turn_id,
    event_type,
    code: 'late_event_after_close',
    at_ms: b.time.at_ms,
    wall_ms: b.time.wall_ms,
  });
}
