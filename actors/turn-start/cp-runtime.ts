/**
 * Control-plane modules that decide where and whether a turn runs: CP-08 routing view, CP-10
 * provider health, CP-04 policy, CP-07 lease authority and CP-05 admission. Pure functions over a
 * snapshot section; a backend error yields the module's defaults, a stale section fails.
 */
import type { DecisionOutcome } from '../../contracts/index.ts';
import {
  CP_ADMISSION_REASONS,
  LEASE_REASONS,
  type AdaptiveAction,
  type CpAdmissionReason,
  type LeaseReason,
} from '../../contracts/internal.ts';
import { buildOutcome, type StampContext } from '../identity/stamp.ts';
import {
  DEFAULT_ADAPTIVE_ACTIONS,
  DEFAULT_PROVENANCE,
  DEFAULT_PROVIDER_BINDINGS,
  LEASE_RESOLUTION_SNAPSHOT,
  normalizeAdaptiveActions,
} from './defaults.ts';
import {
  okStep,
  readSource,
  staleFailure,
  textOr,
  type AdmissionValue,
  type CpRead,
  type CpStep,
  type LeaseValue,
  type PolicyValue,
  type ProviderHealthValue,
  type RoutingViewValue,
} from './snapshot.ts';

/** CP-08 output: three provenance refs and the epoch the routing view exposes (if any). */
export type RoutingView = {
  readonly routing_view_snapshot: string;
  readonly admission_policy_snapshot: string;
  readonly abi_compatibility_snapshot: string;
  readonly authority_epoch?: number;
};

/** CP-08: routing, admission-policy and ABI refs (`routing-view/v1`, ...) and epoch visibility. */
export function resolveRoutingView(
  read: CpRead<RoutingViewValue> | undefined,
): CpStep<RoutingView> {
  const source = readSource(read);
  if (source.kind === 'stale') return staleFailure('CP-08');
  const value = source.kind === 'value' ? source.value : {};
  const d = DEFAULT_PROVENANCE;
  const view: RoutingView = {
    routing_view_snapshot: textOr(value.routing_view_snapshot, d.routing_view_snapshot),
    admission_policy_snapshot: textOr(value.admission_policy_snapshot, d.admission_policy_snapshot),
    abi_compatibility_snapshot: textOr(
      value.abi_compatibility_snapshot,
      d.abi_compatibility_snapshot,
    ),
  };
  const epoch = value.authority_epoch;
  const visible = typeof epoch === 'number' && Number.isSafeInteger(epoch) && epoch >= 0;
  return okStep(visible ? { ...view, authority_epoch: epoch } : view, source);
}

/** CP-10: the provider health snapshot ref (`provider-health/v1`). */
export function resolveProviderHealth(
  read: CpRead<ProviderHealthValue> | undefined,
): CpStep<{ readonly provider_health_snapshot: string }> {
  const source = readSource(read);
  if (source.kind === 'stale') return staleFailure('CP-10');
  const value = source.kind === 'value' ? source.value : {};
  const ref = textOr(value.provider_health_snapshot, DEFAULT_PROVENANCE.provider_health_snapshot);
  return okStep({ provider_health_snapshot: ref }, source);
}

/** CP-04 output, frozen into the plan at turn start. */
export type PolicyResolution = {
  readonly policy_resolution_snapshot: string;
  /** The provider health snapshot the policy was evaluated against. */
  readonly provider_health_snapshot: string;
  readonly allowed_adaptive_actions: readonly AdaptiveAction[];
  readonly provider_bindings: Readonly<Record<string, string>>;
};

/** CP-04: adaptive actions (default retry, provider_switch, fallback; deduped, ordered), bindings. */
export function resolvePolicy(
  read: CpRead<PolicyValue> | undefined,
  provider_health_snapshot: string,
): CpStep<PolicyResolution> {
  const source = readSource(read);
  if (source.kind === 'stale') return staleFailure('CP-04');
  const value = source.kind === 'value' ? source.value : {};
  const actions = Array.isArray(value.allowed_adaptive_actions)
    ? value.allowed_adaptive_actions
    : DEFAULT_ADAPTIVE_ACTIONS;
  return okStep(
    {
      policy_resolution_snapshot: textOr(
        value.policy_resolution_snapshot,
        DEFAULT_PROVENANCE.policy_resolution_snapshot,
      ),
      provider_health_snapshot,
      allowed_adaptive_actions: normalizeAdaptiveActions(actions),
      provider_bindings: { ...DEFAULT_PROVIDER_BINDINGS, ...(value.provider_bindings ?? {}) },
    },
    source,
  );
}

/** CP-07 output (`lease-resolution/v1`). */
export type LeaseResolution = {
  readonly lease_resolution_snapshot: string;
  readonly authority_epoch: number;
  readonly authority_epoch_valid: boolean;
  readonly authority_authorized: boolean;
  readonly reason: LeaseReason;
};

const isEpoch = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * CP-07: the lease epoch (the requested one when the lease says 0) with validity and
 * authorization. A lease epoch below the requested one breaks monotonicity: `lease_stale_epoch`.
 * Bad input (no session, or a requested/lease epoch that is not an integer >= 0):
 * `lease_invalid_input`, neither valid nor authorized.
 */
export function resolveLease(
  read: CpRead<LeaseValue> | undefined,
  input: { readonly session_id: string; readonly requested_authority_epoch: number },
): CpStep<LeaseResolution> {
  const source = readSource(read);
  if (source.kind === 'stale') return staleFailure('CP-07');
  const value = source.kind === 'value' ? source.value : {};
  const snapshot = textOr(value.lease_resolution_snapshot, LEASE_RESOLUTION_SNAPSHOT);
  const requested = input.requested_authority_epoch;
  const leaseEpoch = value.authority_epoch ?? 0;
  if (textOr(input.session_id, '') === '' || !isEpoch(requested) || !isEpoch(leaseEpoch)) {
    const reason = LEASE_REASONS.lease_invalid_input;
    const invalid = { authority_epoch_valid: false, authority_authorized: false, reason };
    return okStep({ lease_resolution_snapshot: snapshot, authority_epoch: 0, ...invalid }, source);
  }
  const epoch = leaseEpoch > 0 ? leaseEpoch : requested;
  const valid = (value.authority_epoch_valid ?? true) && epoch >= requested;
  const authorized = value.authority_authorized ?? true;
  const reason = !valid
    ? LEASE_REASONS.lease_stale_epoch
    : authorized
      ? LEASE_REASONS.lease_authorized
      : LEASE_REASONS.lease_deauthorized;
  return okStep(
    {
      lease_resolution_snapshot: snapshot,
      authority_epoch: epoch,
      authority_epoch_valid: valid,
      authority_authorized: authorized,
      reason,
    },
    source,
  );
}

/** CP-05 decision. */
export type CpAdmissionDecision = {
  readonly admission_policy_snapshot: string;
  readonly outcome_kind: 'admit' | 'reject' | 'defer';
  readonly scope: 'tenant' | 'session';
  readonly reason: string;
};

const DEFAULT_CP_REASON: Readonly<Record<CpAdmissionDecision['outcome_kind'], CpAdmissionReason>> =
  {
    admit: CP_ADMISSION_REASONS.cp_admission_allowed,
    reject: CP_ADMISSION_REASONS.cp_admission_reject_policy,
    defer: CP_ADMISSION_REASONS.cp_admission_defer_capacity,
  };

/**
 * CP-05: admit by default (`cp_admission_allowed`); a backend decision keeps its reason or takes
 * the kind's default (`cp_admission_reject_policy`, `cp_admission_defer_capacity`); an unknown
 * kind or a missing session is `reject` with `cp_admission_invalid_input`. Scope: `tenant` when a
 * tenant is known, else `session`, unless the backend names one of the two.
 */
export function resolveCpAdmission(
  read: CpRead<AdmissionValue> | undefined,
  input: {
    readonly session_id: string;
    readonly tenant_id?: string | undefined;
    readonly admission_policy_snapshot: string;
  },
): CpStep<CpAdmissionDecision> {
  const source = readSource(read);
  if (source.kind === 'stale') return staleFailure('CP-05');
  const value = source.kind === 'value' ? source.value : {};
  const snapshot = textOr(value.admission_policy_snapshot, input.admission_policy_snapshot);
  const fallbackScope = textOr(input.tenant_id, '') === '' ? 'session' : 'tenant';
  const scope = value.scope === 'tenant' || value.scope === 'session' ? value.scope : fallbackScope;
  const kind = value.outcome_kind ?? 'admit';
  const known = kind === 'admit' || kind === 'reject' || kind === 'defer';
  if (!known || textOr(input.session_id, '') === '') {
    const reason = CP_ADMISSION_REASONS.cp_admission_invalid_input;
    return okStep(
      { admission_policy_snapshot: snapshot, outcome_kind: 'reject', scope, reason },
      source,
    );
  }
  const reason = textOr(value.reason, DEFAULT_CP_REASON[kind]);
  return okStep({ admission_policy_snapshot: snapshot, outcome_kind: kind, scope, reason }, source);
}

/** The contract-valid CP-05 decision outcome (phase `pre_turn`, scope `tenant`/`session`). */
export function cpAdmissionOutcome(
  decision: CpAdmissionDecision,
  ctx: StampContext,
): DecisionOutcome {
  return buildOutcome(ctx, {
    outcome_kind: decision.outcome_kind,
    phase: 'pre_turn',
    scope: decision.scope,
    emitted_by: 'CP-05',
    reason: decision.reason,
  });
}
