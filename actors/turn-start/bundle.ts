/**
 * The CP turn-start bundle: resolves every control-plane module in the order of spec/modules.md
 * (CP-01, CP-02, CP-09, CP-03, CP-08, CP-10, CP-04, CP-07, CP-05) over one injected snapshot.
 * A non-stale backend error falls back to that module's defaults; a stale section, an
 * unsupported profile or a CP-03 compile error fails the bundle (pre-turn step 5).
 */
import type { AdaptiveAction, SnapshotProvenance } from '../../contracts/internal.ts';
import {
  compileGraph,
  normalizePipelineRecord,
  resolvePipelineRecord,
  resolvePipelineVersion,
} from './cp-pipeline.ts';
import {
  resolveCpAdmission,
  resolveLease,
  resolvePolicy,
  resolveProviderHealth,
  resolveRoutingView,
  type CpAdmissionDecision,
  type LeaseResolution,
} from './cp-runtime.ts';
import {
  BUNDLE_ORDER,
  type ControlPlaneSnapshot,
  type CpFailure,
  type CpModuleId,
  type CpStep,
} from './snapshot.ts';

type CpOk<TOut> = Extract<CpStep<TOut>, { ok: true }>;

/** What the bundle is resolved for. */
export type BundleRequest = {
  readonly session_id: string;
  readonly turn_id: string;
  readonly tenant_id?: string | undefined;
  /** The version the proposal asked for; absent -> registry default. */
  readonly requested_pipeline_version?: string | undefined;
  /** The epoch the proposal was stamped with. */
  readonly requested_authority_epoch: number;
};

/** Everything the control plane decided for one turn start. */
type TurnStartBundle = {
  readonly pipeline_version: string;
  readonly graph_definition_ref: string;
  readonly execution_profile: string;
  readonly graph_compilation_snapshot: string;
  readonly graph_fingerprint: string;
  readonly provider_bindings: Readonly<Record<string, string>>;
  readonly allowed_adaptive_actions: readonly AdaptiveAction[];
  readonly snapshot_provenance: SnapshotProvenance;
  /** The epoch the CP-08 routing view exposes, when it exposes one. */
  readonly routing_authority_epoch?: number;
  readonly lease: LeaseResolution;
  readonly admission: CpAdmissionDecision;
  /** Modules whose backend failed (not stale) and that answered with their defaults. */
  readonly defaulted: readonly CpModuleId[];
  /** Modules resolved, in order. */
  readonly trace: readonly CpModuleId[];
};

/** Result of {@link resolveTurnStartBundle}. */
export type BundleResult =
  | { readonly ok: true; readonly bundle: TurnStartBundle }
  | { readonly ok: false; readonly failure: CpFailure; readonly trace: readonly CpModuleId[] };

/** Resolves the turn-start bundle, stopping at the first failing module; never throws. */
export function resolveTurnStartBundle(
  snapshot: ControlPlaneSnapshot,
  request: BundleRequest,
): BundleResult {
  const trace: CpModuleId[] = [];
  try {
    return resolveInOrder(snapshot, request, trace);
  } catch {
    // A malformed snapshot (a throwing getter, wrong shapes) fails the bundle; it never crashes.
    const module = BUNDLE_ORDER[trace.length] ?? 'CP-05';
    const failure: CpFailure = { module, code: 'invalid_input', message: 'snapshot unreadable' };
    return { ok: false, failure, trace };
  }
}

function resolveInOrder(
  snapshot: ControlPlaneSnapshot,
  request: BundleRequest,
  trace: CpModuleId[],
): BundleResult {
  const defaulted: CpModuleId[] = [];
  const seen = <TOut>(module: CpModuleId, step: CpStep<TOut>): step is CpOk<TOut> => {
    trace.push(module);
    if (step.ok && step.defaulted) defaulted.push(module);
    return step.ok;
  };
  const failed = (step: { readonly failure: CpFailure }): BundleResult => ({
    ok: false,
    failure: step.failure,
    trace,
  });
  const requested = request.requested_pipeline_version;

  const record = resolvePipelineRecord(snapshot.registry, requested);
  if (!seen('CP-01', record)) return failed(record);
  const normalized = normalizePipelineRecord(record.value);
  if (!seen('CP-02', normalized)) return failed(normalized);
  const profile = normalized.value;
  const version = resolvePipelineVersion(snapshot.rollout, requested, profile.pipeline_version);
  if (!seen('CP-09', version)) return failed(version);
  const pipeline_version = version.value.pipeline_version;
  const graph = compileGraph(snapshot.graph_compiler, { ...profile, pipeline_version });
  if (!seen('CP-03', graph)) return failed(graph);
  const routing = resolveRoutingView(snapshot.routing_view);
  if (!seen('CP-08', routing)) return failed(routing);
  const health = resolveProviderHealth(snapshot.provider_health);
  if (!seen('CP-10', health)) return failed(health);
  const policy = resolvePolicy(snapshot.policy, health.value.provider_health_snapshot);
  if (!seen('CP-04', policy)) return failed(policy);
  const lease = resolveLease(snapshot.lease, {
    session_id: request.session_id,
    requested_authority_epoch: request.requested_authority_epoch,
  });
  if (!seen('CP-07', lease)) return failed(lease);
  const admission = resolveCpAdmission(snapshot.admission, {
    session_id: request.session_id,
    tenant_id: request.tenant_id,
    admission_policy_snapshot: routing.value.admission_policy_snapshot,
  });
  if (!seen('CP-05', admission)) return failed(admission);

  const view = routing.value;
  const bundle: TurnStartBundle = {
    pipeline_version,
    graph_definition_ref: graph.value.graph_definition_ref,
    execution_profile: profile.execution_profile,
    graph_compilation_snapshot: graph.value.graph_compilation_snapshot,
    graph_fingerprint: graph.value.graph_fingerprint,
    provider_bindings: policy.value.provider_bindings,
    allowed_adaptive_actions: policy.value.allowed_adaptive_actions,
    snapshot_provenance: {
      routing_view_snapshot: view.routing_view_snapshot,
      admission_policy_snapshot: view.admission_policy_snapshot,
      abi_compatibility_snapshot: view.abi_compatibility_snapshot,
      version_resolution_snapshot: version.value.version_resolution_snapshot,
      policy_resolution_snapshot: policy.value.policy_resolution_snapshot,
      provider_health_snapshot: health.value.provider_health_snapshot,
    },
    ...(view.authority_epoch === undefined
      ? {}
      : { routing_authority_epoch: view.authority_epoch }),
    lease: lease.value,
    admission: admission.value,
    defaulted,
    trace,
  };
  return { ok: true, bundle };
}
