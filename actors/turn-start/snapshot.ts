/**
 * The control-plane snapshot the turn-start bundle reads: one optional section per CP module,
 * injected as a plain object (file/env/http distribution fills it later). A section is a value,
 * a stale marker or a backend error; an absent section means "no backend": module defaults.
 */
import type { GraphCompileError } from '../../contracts/internal.ts';

/** Control-plane modules of the turn-start bundle. */
export type CpModuleId =
  'CP-01' | 'CP-02' | 'CP-03' | 'CP-04' | 'CP-05' | 'CP-07' | 'CP-08' | 'CP-09' | 'CP-10';

/** The bundle order of spec/modules.md. */
export const BUNDLE_ORDER: readonly CpModuleId[] = [
  'CP-01',
  'CP-02',
  'CP-09',
  'CP-03',
  'CP-08',
  'CP-10',
  'CP-04',
  'CP-07',
  'CP-05',
];

/** One module's section: its snapshot value, a stale snapshot, or a (non-stale) backend error. */
export type CpRead<TValue> =
  | { readonly status: 'ok'; readonly value: TValue }
  | { readonly status: 'stale'; readonly ref?: string }
  | { readonly status: 'error'; readonly code?: string };

/** CP-01 pipeline record. */
export type PipelineRecord = {
  readonly pipeline_version: string;
  readonly graph_definition_ref: string;
  readonly execution_profile: string;
};

/** CP-01 registry: records by pipeline version, and the record used for unknown versions. */
export type RegistryValue = {
  readonly records?: Readonly<Record<string, PipelineRecord>>;
  readonly default_record?: PipelineRecord;
};

/** CP-09 rollout: requested version -> pipeline version. */
export type RolloutValue = {
  readonly mappings?: Readonly<Record<string, string>>;
  readonly version_resolution_snapshot?: string;
};

/** CP-03 compiler backend: supported versions and compiled artifact refs. */
export type GraphCompilerValue = {
  /** When non-empty, any other pipeline version fails with `GRAPH_COMPILE_UNSUPPORTED_VERSION`. */
  readonly supported_pipeline_versions?: readonly string[];
  readonly graph_compilation_snapshot?: string;
  readonly graph_fingerprint?: string;
};

/** CP-08 routing view: snapshot refs and the visible authority epoch. */
export type RoutingViewValue = {
  readonly routing_view_snapshot?: string;
  readonly admission_policy_snapshot?: string;
  readonly abi_compatibility_snapshot?: string;
  readonly authority_epoch?: number;
};

/** CP-10 provider health. */
export type ProviderHealthValue = { readonly provider_health_snapshot?: string };

/** CP-04 policy. */
export type PolicyValue = {
  readonly policy_resolution_snapshot?: string;
  readonly allowed_adaptive_actions?: readonly string[];
  readonly provider_bindings?: Readonly<Record<string, string>>;
};

/** CP-07 lease authority. */
export type LeaseValue = {
  readonly lease_resolution_snapshot?: string;
  /** Current lease epoch; 0 or absent means "the requested epoch". */
  readonly authority_epoch?: number;
  readonly authority_epoch_valid?: boolean;
  readonly authority_authorized?: boolean;
};

/** CP-05 admission decision source. */
export type AdmissionValue = {
  readonly admission_policy_snapshot?: string;
  readonly outcome_kind?: string;
  readonly scope?: string;
  readonly reason?: string;
};

/** The injectable control-plane snapshot. */
export type ControlPlaneSnapshot = {
  readonly registry?: CpRead<RegistryValue>;
  readonly rollout?: CpRead<RolloutValue>;
  readonly graph_compiler?: CpRead<GraphCompilerValue>;
  readonly routing_view?: CpRead<RoutingViewValue>;
  readonly provider_health?: CpRead<ProviderHealthValue>;
  readonly policy?: CpRead<PolicyValue>;
  readonly lease?: CpRead<LeaseValue>;
  readonly admission?: CpRead<AdmissionValue>;
};

/** Why a module failed the bundle. */
export type CpFailureCode =
  'stale_snapshot' | 'unsupported_profile' | 'invalid_input' | GraphCompileError;

/** A module failure; any failure fails the whole bundle. */
export type CpFailure = {
  readonly module: CpModuleId;
  readonly code: CpFailureCode;
  readonly message: string;
};

/** A module's result: its output (and whether it fell back to defaults) or a failure. */
export type CpStep<TOut> =
  | { readonly ok: true; readonly value: TOut; readonly defaulted: boolean }
  | { readonly ok: false; readonly failure: CpFailure };

/** How a module sees its section. */
export type CpSource<TValue> =
  | { readonly kind: 'value'; readonly value: TValue }
  | { readonly kind: 'default'; readonly backend_error: boolean }
  | { readonly kind: 'stale' };

/**
 * Classifies a section: absent -> defaults; `ok` -> value; `stale` -> stale; a backend error or
 * anything unrecognized (a malformed section is a backend fault too) -> defaults.
 */
export function readSource<TValue>(read: CpRead<TValue> | undefined): CpSource<TValue> {
  if (read === undefined) return { kind: 'default', backend_error: false };
  if (read.status === 'ok' && typeof read.value === 'object' && read.value !== null)
    return { kind: 'value', value: read.value };
  if (read.status === 'stale') return { kind: 'stale' };
  return { kind: 'default', backend_error: true };
}

/** A `stale_snapshot` failure of `module`. */
export function staleFailure<TOut>(module: CpModuleId): CpStep<TOut> {
  return {
    ok: false,
    failure: { module, code: 'stale_snapshot', message: `${module} snapshot is stale` },
  };
}

/** A module failure. */
export function failStep<TOut>(
  module: CpModuleId,
  code: CpFailureCode,
  message: string,
): CpStep<TOut> {
  return { ok: false, failure: { module, code, message } };
}

/** A successful step; `defaulted` when a backend error forced the defaults. */
export function okStep<TOut>(value: TOut, source: CpSource<unknown>): CpStep<TOut> {
  return { ok: true, value, defaulted: source.kind === 'default' && source.backend_error };
}

/** A non-empty trimmed string, or `fallback`. */
export function textOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim().length > 0 ? value : fallback;
}
