/**
 * Exact reason codes of spec/modules.md, lifecycle.md and providers-transport.md, as `as const`
 * objects (key = value) so machines spell them once and get a string union type (provider outcome
 * reasons, only ever a type, as a string union).
 */

/** `abort(reason)` codes, in the active-turn precedence order of lifecycle.md. */
export const ABORT_REASONS = {
  authority_loss: 'authority_loss',
  cancelled: 'cancelled',
  provider_failure: 'provider_failure',
  node_timeout_or_failure: 'node_timeout_or_failure',
  transport_disconnect_or_stall: 'transport_disconnect_or_stall',
  recording_evidence_unavailable: 'recording_evidence_unavailable',
  // RK-17 terminates with this when neither degrade nor fallback is allowed.
  budget_exhausted: 'budget_exhausted',
  // RK-07 stops at the first denied node; the turn then aborts with this code.
  execution_plan_denied: 'execution_plan_denied',
  // Catch-all for "other no-legal-path" (rank 7).
  deterministic_reason: 'deterministic_reason',
} as const;
/** One `abort` reason code. */
export type AbortReason = (typeof ABORT_REASONS)[keyof typeof ABORT_REASONS];

/** Reasons of pre-turn outcomes (lifecycle.md evaluation order, RK-25 and RK-24). */
export const PRE_TURN_REASONS = {
  snapshot_invalid_or_missing: 'snapshot_invalid_or_missing',
  admission_capacity_reject: 'admission_capacity_reject',
  admission_capacity_defer: 'admission_capacity_defer',
  authority_epoch_mismatch: 'authority_epoch_mismatch',
  authority_revoked_before_open: 'authority_revoked_before_open',
  turn_start_bundle_resolution_failed: 'turn_start_bundle_resolution_failed',
  plan_materialization_failed: 'plan_materialization_failed',
} as const;

/** Reasons of RK-24 authority outcomes (`stale_epoch_reject`, `deauthorized_drain`). */
export const AUTHORITY_REASONS = {
  authority_epoch_mismatch: 'authority_epoch_mismatch',
  authority_revoked_before_open: 'authority_revoked_before_open',
  authority_revoked_in_turn: 'authority_revoked_in_turn',
} as const;

/** Reasons of RK-25 scheduling-point outcomes. */
export const SCHEDULING_REASONS = {
  scheduling_point_shed: 'scheduling_point_shed',
} as const;

/** Reasons of CP-05 admission decisions. */
export const CP_ADMISSION_REASONS = {
  cp_admission_allowed: 'cp_admission_allowed',
  cp_admission_defer_capacity: 'cp_admission_defer_capacity',
  cp_admission_reject_policy: 'cp_admission_reject_policy',
  cp_admission_invalid_input: 'cp_admission_invalid_input',
} as const;
/** One CP-05 admission reason. */
export type CpAdmissionReason = (typeof CP_ADMISSION_REASONS)[keyof typeof CP_ADMISSION_REASONS];

/** Reasons of CP-07 lease resolution. */
export const LEASE_REASONS = {
  lease_authorized: 'lease_authorized',
  lease_stale_epoch: 'lease_stale_epoch',
  lease_deauthorized: 'lease_deauthorized',
  lease_invalid_input: 'lease_invalid_input',
} as const;
/** One CP-07 lease reason. */
export type LeaseReason = (typeof LEASE_REASONS)[keyof typeof LEASE_REASONS];

/** Default `reason` of ControlLane signals whose reason the spec fixes (modules.md, replay.md). */
export const SIGNAL_REASONS = {
  session_turn_intent: 'session_turn_intent',
  edge_watermark_high: 'edge_watermark_high',
  backpressure_asserted: 'backpressure_asserted',
  queue_pressure_drop: 'queue_pressure_drop',
  sync_atomic_drop: 'sync_atomic_drop',
  sync_domain_partial_loss: 'sync_domain_partial_loss',
  node_budget_threshold_exceeded: 'node_budget_threshold_exceeded',
  node_timeout_or_failure: 'node_timeout_or_failure',
  authority_epoch_rotation: 'authority_epoch_rotation',
  region_failover_start: 'region_failover_start',
  region_failover_complete: 'region_failover_complete',
  authoritative_handoff: 'authoritative_handoff',
  stage_a_detail_overflow: 'stage_a_detail_overflow',
  cancel_fence_applied: 'cancel_fence_applied',
  transport_disconnect_or_stall: 'transport_disconnect_or_stall',
} as const;

/** One reason of a normalized provider outcome (providers-transport.md). */
export type ProviderOutcomeReason =
  | 'provider_cancelled'
  | 'cancel_requested_before_invoke'
  | 'provider_endpoint_missing'
  | 'provider_overload'
  | 'provider_timeout'
  | 'provider_auth_or_policy_block'
  | 'provider_client_error'
  | 'provider_server_error'
  | 'provider_transport_error'
  | 'provider_empty_audio'
  | 'adapter_invoke_error'
  // Not in the spec table: RK-11 needs a reason when the preferred provider is absent (ADR 0010).
  | 'preferred_provider_not_in_catalogue';

/** CP-03 GraphDefinition compiler error codes. */
export const GRAPH_COMPILE_ERRORS = {
  GRAPH_COMPILE_EMPTY_INPUT: 'GRAPH_COMPILE_EMPTY_INPUT',
  GRAPH_COMPILE_INVALID_REF: 'GRAPH_COMPILE_INVALID_REF',
  GRAPH_COMPILE_UNSUPPORTED_VERSION: 'GRAPH_COMPILE_UNSUPPORTED_VERSION',
} as const;
/** One CP-03 compiler error code. */
export type GraphCompileError = (typeof GRAPH_COMPILE_ERRORS)[keyof typeof GRAPH_COMPILE_ERRORS];
