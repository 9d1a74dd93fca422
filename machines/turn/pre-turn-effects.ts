/**
 * What the turn machine emits before its turn is open: the builders of pre-turn outcomes
 * (spec/lifecycle.md, evaluation steps 1..8, each ending `Opening -> Idle`) and of `turn_open`.
 * Kept apart from `effects.ts` (the active turn and its terminal) so that the pre-turn
 * evaluation order reads in one place.
 */
import { nonNegativeInt } from '../node/clock.ts';
import { addOutcome, addSignal, addTransition, type Batch } from './effects.ts';
import type { PreTurnOutcomeKind, TurnArbitrateEvent, TurnContext } from './types.ts';

/** The pre-turn steps that can fail, in evaluation order (spec/lifecycle.md, steps 1..8). */
export type PreTurnFailure =
  | 'snapshot'
  | 'capacity'
  | 'epoch'
  | 'authorization'
  | 'bundle'
  | 'lease_epoch'
  | 'lease_authorization'
  | 'cp_admission'
  | 'plan';

/** Step 6: the epoch after the CP-07 lease re-gate. */
export function regatedEpoch(e: TurnArbitrateEvent): number {
  const lease = nonNegativeInt(e.lease.authority_epoch);
  const requested = nonNegativeInt(e.requested_epoch);
  return lease > 0 || requested === 0 ? lease : requested;
}

const CP_REASONS: Record<'reject' | 'defer', string> = {
  reject: 'cp_admission_reject_policy',
  defer: 'cp_admission_defer_capacity',
};

/** CP-05's outcome for a non-admit decision: `defer` stays `defer`, anything else is `reject`. */
function cpOutcome(e: TurnArbitrateEvent): { kind: 'reject' | 'defer'; reason: string } {
  const { outcome_kind, reason } = e.cp_decision;
  if (outcome_kind !== 'defer' && outcome_kind !== 'reject')
    return { kind: 'reject', reason: 'cp_admission_invalid_input' };
  const r = typeof reason === 'string' && reason.length > 0 ? reason : CP_REASONS[outcome_kind];
  return { kind: outcome_kind, reason: r };
}

/**
 * A pre-turn failure: exactly one decision outcome (phase `pre_turn`), its control signal, and
 * `Opening -(<kind>)-> Idle`. Never `turn_open`, `abort` or `close`.
 */
export function addPreTurnFailure(
  b: Batch,
  context: TurnContext,
  e: TurnArbitrateEvent | null,
  step: PreTurnFailure,
): void {
  const p = context.policies;
  const admission = (
    kind: PreTurnOutcomeKind,
    emitted_by: 'RK-25' | 'CP-05',
    reason: string,
  ): void => {
    // CP-05 decides only for session/tenant scope; RK-25 knows the candidate turn.
    const scope = emitted_by === 'CP-05' ? 'session' : 'turn';
    addOutcome(b, context, { outcome_kind: kind, phase: 'pre_turn', scope, emitted_by, reason });
    // Open point 1: admit/reject/defer signals are session-scoped even for turn decisions.
    addSignal(b, context, { signal: kind, emitted_by, event_scope: 'session', reason });
    addTransition(b, context, 'Opening', kind, 'Idle');
  };
  const authority = (
    kind: 'stale_epoch_reject' | 'deauthorized_drain',
    reason: 'authority_epoch_mismatch' | 'authority_revoked_before_open',
    epoch: number,
  ): void => {
    addOutcome(
      b,
      context,
      { outcome_kind: kind, phase: 'pre_turn', scope: 'turn', emitted_by: 'RK-24', reason },
      epoch,
    );
    addSignal(
      b,
      context,
      { signal: kind, emitted_by: 'RK-24', event_scope: 'turn', reason },
      epoch,
    );
    addTransition(b, context, 'Opening', kind, 'Idle');
  };
  const requested = nonNegativeInt(e?.requested_epoch ?? context.authority_epoch);
  const regated = e === null ? context.authority_epoch : regatedEpoch(e);
  switch (step) {
    case 'snapshot':
      return admission(p.snapshot_invalid, 'RK-25', 'snapshot_invalid_or_missing');
    case 'capacity':
      return admission(p.capacity, 'RK-25', `admission_capacity_${p.capacity}`);
    case 'epoch':
      return authority('stale_epoch_reject', 'authority_epoch_mismatch', requested);
    case 'authorization':
      return authority('deauthorized_drain', 'authority_revoked_before_open', requested);
    case 'bundle':
      return admission(p.bundle_failure, 'RK-25', 'turn_start_bundle_resolution_failed');
    case 'lease_epoch':
      return authority('stale_epoch_reject', 'authority_epoch_mismatch', regated);
    case 'lease_authorization':
      return authority('deauthorized_drain', 'authority_revoked_before_open', regated);
    case 'cp_admission': {
      const cp = e === null ? { kind: 'reject' as const, reason: CP_REASONS.reject } : cpOutcome(e);
      return admission(cp.kind, 'CP-05', cp.reason);
    }
    case 'plan':
      return admission(p.plan_failure, 'RK-25', 'plan_materialization_failed');
  }
}

/** Reason of RK-25's pre-turn admit (not among the spec's failure reasons; ADR 0007). */
const ADMIT_REASON = 'admission_capacity_allow';

/**
 * T5: RK-25's `admit` (the gating decision the turn's OR-02 baseline carries), `turn_open` at
 * the turn's (re-gated) epoch, then `Opening -(turn_open)-> Active`.
 */
export function addTurnOpen(b: Batch, context: TurnContext): void {
  addOutcome(b, context, {
    outcome_kind: 'admit',
    phase: 'pre_turn',
    scope: 'turn',
    emitted_by: 'RK-25',
    reason: ADMIT_REASON,
  });
  addSignal(b, context, { signal: 'turn_open', emitted_by: 'RK-03', event_scope: 'turn' });
  addTransition(b, context, 'Opening', 'turn_open', 'Active');
}
