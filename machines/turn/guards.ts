/**
 * Pure predicates behind the turn machine's named guards. Each one looks at a single condition;
 * precedence comes from the order the machine lists the guards in, never from here.
 */
import { nonNegativeInt } from '../node/clock.ts';
import type { TurnContext, TurnEvent } from './types.ts';

const PLAN_HASH = /^[0-9a-f]{64}$/;

/**
 * T12: the event carries an authority epoch other than the turn's. A revoke is never fenced
 * (safety first: authority loss must reach the turn whatever epoch the notice carries).
 */
function isStaleEpoch(context: TurnContext, event: TurnEvent): boolean {
  if (event.type === 'turn.revoke' || event.type === 'turn.authority') return false;
  if (!('authority_epoch' in event)) return false;
  const epoch = event.authority_epoch;
  return typeof epoch === 'number' && epoch !== context.authority_epoch;
}

/** The epoch an event carries (0 when absent), for stale-epoch artifacts. */
export function carriedEpoch(event: TurnEvent): number {
  return 'authority_epoch' in event ? nonNegativeInt(event.authority_epoch) : 0;
}

/** Pre-turn checks, one per step of the evaluation order; each is false for other events. */
const preTurnChecks = {
  snapshotInvalid: (e: TurnEvent): boolean => e.type === 'turn.arbitrate' && !e.snapshot_valid,
  capacityExhausted: (e: TurnEvent): boolean => e.type === 'turn.arbitrate' && !e.capacity_ok,
  epochMismatch: (e: TurnEvent): boolean =>
    e.type === 'turn.arbitrate' &&
    nonNegativeInt(e.requested_epoch) !== nonNegativeInt(e.current_epoch),
  notAuthorized: (e: TurnEvent): boolean => e.type === 'turn.arbitrate' && !e.authorized,
  bundleUnresolved: (e: TurnEvent): boolean => e.type === 'turn.arbitrate' && !e.bundle_ok,
  leaseEpochInvalid: (e: TurnEvent): boolean =>
    e.type === 'turn.arbitrate' && !e.lease.authority_epoch_valid,
  leaseNotAuthorized: (e: TurnEvent): boolean =>
    e.type === 'turn.arbitrate' && !e.lease.authority_authorized,
  cpNotAdmitted: (e: TurnEvent): boolean =>
    e.type === 'turn.arbitrate' && e.cp_decision.outcome_kind !== 'admit',
  planNotMaterialized: (e: TurnEvent): boolean =>
    e.type === 'turn.plan' &&
    !(
      e.plan.materialized &&
      typeof e.plan.plan_hash === 'string' &&
      PLAN_HASH.test(e.plan.plan_hash)
    ),
};

/** Active-turn conditions, one per rank of the precedence table; each is false for other events. */
const activeTurnChecks = {
  authorityRevoked: (e: TurnEvent): boolean => e.type === 'turn.revoke',
  bargeIn: (e: TurnEvent): boolean => e.type === 'turn.barge_in',
  cancelAccepted: (e: TurnEvent): boolean => e.type === 'turn.cancel',
  providerFailed: (e: TurnEvent): boolean => e.type === 'turn.failure' && e.failure === 'provider',
  nodeFailed: (e: TurnEvent): boolean => e.type === 'turn.failure' && e.failure === 'node',
  // `ended`: the transport ended the session; nothing more of the reply can be heard.
  transportLost: (e: TurnEvent): boolean =>
    e.type === 'turn.connection' &&
    (e.signal === 'disconnected' || e.signal === 'stall' || e.signal === 'ended'),
  baselineAppendFailed: (e: TurnEvent): boolean =>
    e.type === 'turn.failure' && e.failure === 'baseline_append',
  noLegalPath: (e: TurnEvent): boolean =>
    e.type === 'turn.failure' && e.failure === 'no_legal_path',
  generationCompleted: (e: TurnEvent): boolean => e.type === 'turn.generation.completed',
  connectionSignal: (e: TurnEvent): boolean => e.type === 'turn.connection',
};

/** RK-24: an authority change this turn cannot live with (unauthorized, or another epoch). */
function authorityLost(context: TurnContext, event: TurnEvent): boolean {
  return (
    event.type === 'turn.authority' &&
    (!event.authorized || nonNegativeInt(event.epoch) !== context.authority_epoch)
  );
}

/** The evidence answer is for the request the turn is waiting for (older answers are ignored). */
function isCurrentEvidence(context: TurnContext, event: TurnEvent): boolean {
  if (event.type !== 'evidence.appended' && event.type !== 'evidence.append_failed') return false;
  return context.evidence !== null && event.request_id === context.evidence.request_id;
}

type GuardArgs = { readonly context: TurnContext; readonly event: TurnEvent };

/** Named guards of `turnMachine`; the machine's guard order is the precedence. */
export const turnGuards = {
  isStaleEpoch: ({ context, event }: GuardArgs) => isStaleEpoch(context, event),
  snapshotInvalid: ({ event }: GuardArgs) => preTurnChecks.snapshotInvalid(event),
  capacityExhausted: ({ event }: GuardArgs) => preTurnChecks.capacityExhausted(event),
  epochMismatch: ({ event }: GuardArgs) => preTurnChecks.epochMismatch(event),
  notAuthorized: ({ event }: GuardArgs) => preTurnChecks.notAuthorized(event),
  bundleUnresolved: ({ event }: GuardArgs) => preTurnChecks.bundleUnresolved(event),
  leaseEpochInvalid: ({ event }: GuardArgs) => preTurnChecks.leaseEpochInvalid(event),
  leaseNotAuthorized: ({ event }: GuardArgs) => preTurnChecks.leaseNotAuthorized(event),
  cpNotAdmitted: ({ event }: GuardArgs) => preTurnChecks.cpNotAdmitted(event),
  planNotMaterialized: ({ event }: GuardArgs) => preTurnChecks.planNotMaterialized(event),
  authorityRevoked: ({ context, event }: GuardArgs) =>
    activeTurnChecks.authorityRevoked(event) || authorityLost(context, event),
  bargeIn: ({ event }: GuardArgs) => activeTurnChecks.bargeIn(event),
  cancelAccepted: ({ event }: GuardArgs) => activeTurnChecks.cancelAccepted(event),
  providerFailed: ({ event }: GuardArgs) => activeTurnChecks.providerFailed(event),
  nodeFailed: ({ event }: GuardArgs) => activeTurnChecks.nodeFailed(event),
  transportLost: ({ event }: GuardArgs) => activeTurnChecks.transportLost(event),
  baselineAppendFailed: ({ event }: GuardArgs) => activeTurnChecks.baselineAppendFailed(event),
  noLegalPath: ({ event }: GuardArgs) => activeTurnChecks.noLegalPath(event),
  generationCompleted: ({ event }: GuardArgs) => activeTurnChecks.generationCompleted(event),
  connectionSignal: ({ event }: GuardArgs) => activeTurnChecks.connectionSignal(event),
  isCurrentEvidence: ({ context, event }: GuardArgs) => isCurrentEvidence(context, event),
  keepsLateEvents: ({ context }: GuardArgs) => context.policies.late_event !== 'drop',
};
