/**
 * Control-plane modules that decide what runs: CP-01 pipeline registry, CP-02 spec normalizer,
 * CP-09 rollout/version resolver and CP-03 graph compiler. Pure functions over a snapshot section.
 */
import { GRAPH_COMPILE_ERRORS } from '../../contracts/internal.ts';
import {
  DEFAULT_PIPELINE,
  DEFAULT_PROVENANCE,
  GRAPH_COMPILATION_SNAPSHOT,
  SIMPLE_PROFILE,
} from './defaults.ts';
import {
  failStep,
  okStep,
  readSource,
  staleFailure,
  textOr,
  type CpRead,
  type CpStep,
  type GraphCompilerValue,
  type PipelineRecord,
  type RegistryValue,
  type RolloutValue,
} from './snapshot.ts';

/** CP-01: the record of the requested version, else the registry default, else built-in defaults. */
export function resolvePipelineRecord(
  read: CpRead<RegistryValue> | undefined,
  requested_version: string | undefined,
): CpStep<PipelineRecord> {
  const source = readSource(read);
  if (source.kind === 'stale') return staleFailure('CP-01');
  if (source.kind === 'default') return okStep({ ...DEFAULT_PIPELINE }, source);
  const records = source.value.records ?? {};
  const found =
    requested_version !== undefined && Object.hasOwn(records, requested_version)
      ? records[requested_version]
      : undefined;
  // Records are taken literally: an empty field is the CP's answer and fails later (CP-02/03).
  const record = found ?? source.value.default_record ?? DEFAULT_PIPELINE;
  return okStep({ ...record }, source);
}

/** CP-02: an empty profile becomes `simple`; any other profile than `simple` fails the bundle. */
export function normalizePipelineRecord(record: PipelineRecord): CpStep<PipelineRecord> {
  const profile = typeof record.execution_profile === 'string' ? record.execution_profile : '';
  const normalized = profile.trim().length === 0 ? SIMPLE_PROFILE : profile;
  if (normalized !== SIMPLE_PROFILE)
    return failStep(
      'CP-02',
      'unsupported_profile',
      'only the simple execution profile is supported',
    );
  return { ok: true, value: { ...record, execution_profile: normalized }, defaulted: false };
}

/** CP-09 output. */
export type VersionResolution = {
  readonly pipeline_version: string;
  readonly version_resolution_snapshot: string;
};

/** CP-09: the mapping of the requested version, else the registry's version; outage -> default. */
export function resolvePipelineVersion(
  read: CpRead<RolloutValue> | undefined,
  requested_version: string | undefined,
  registry_version: string,
): CpStep<VersionResolution> {
  const source = readSource(read);
  if (source.kind === 'stale') return staleFailure('CP-09');
  const fallback = {
    pipeline_version: registry_version,
    version_resolution_snapshot: DEFAULT_PROVENANCE.version_resolution_snapshot,
  };
  if (source.kind === 'default') return okStep(fallback, source);
  const mappings = source.value.mappings ?? {};
  const mapped =
    requested_version !== undefined && Object.hasOwn(mappings, requested_version)
      ? mappings[requested_version]
      : undefined;
  return okStep(
    {
      pipeline_version: mapped ?? registry_version,
      version_resolution_snapshot: textOr(
        source.value.version_resolution_snapshot,
        fallback.version_resolution_snapshot,
      ),
    },
    source,
  );
}

/** CP-03 input. */
export type GraphCompileInput = PipelineRecord;

/** CP-03 output. */
export type CompiledGraph = {
  readonly graph_definition_ref: string;
  readonly graph_compilation_snapshot: string;
  readonly graph_fingerprint: string;
};

/** CP-03 default fingerprint: `graph-fingerprint/<pipeline>/<graph_ref>/<profile>`. */
export function graphFingerprint(input: GraphCompileInput): string {
  return `graph-fingerprint/${input.pipeline_version}/${input.graph_definition_ref}/${input.execution_profile}`;
}

const blank = (value: unknown): boolean => typeof value !== 'string' || value.trim().length === 0;

/**
 * CP-03: validates the compile input (`GRAPH_COMPILE_EMPTY_INPUT` for a missing pipeline version,
 * `GRAPH_COMPILE_INVALID_REF` for a missing or whitespace-containing graph ref,
 * `GRAPH_COMPILE_UNSUPPORTED_VERSION` outside the backend's supported set) and returns the refs.
 */
export function compileGraph(
  read: CpRead<GraphCompilerValue> | undefined,
  input: GraphCompileInput,
): CpStep<CompiledGraph> {
  const source = readSource(read);
  if (source.kind === 'stale') return staleFailure('CP-03');
  const E = GRAPH_COMPILE_ERRORS;
  if (blank(input.pipeline_version))
    return failStep('CP-03', E.GRAPH_COMPILE_EMPTY_INPUT, 'pipeline_version is required');
  if (blank(input.graph_definition_ref) || /\s/.test(input.graph_definition_ref))
    return failStep('CP-03', E.GRAPH_COMPILE_INVALID_REF, 'graph_definition_ref is malformed');
  const value = source.kind === 'value' ? source.value : {};
  const supported = value.supported_pipeline_versions ?? [];
  if (supported.length > 0 && !supported.includes(input.pipeline_version))
    return failStep('CP-03', E.GRAPH_COMPILE_UNSUPPORTED_VERSION, 'pipeline_version unsupported');
  return okStep(
    {
      graph_definition_ref: input.graph_definition_ref,
      graph_compilation_snapshot: textOr(
        value.graph_compilation_snapshot,
        GRAPH_COMPILATION_SNAPSHOT,
      ),
      graph_fingerprint: textOr(value.graph_fingerprint, graphFingerprint(input)),
    },
    source,
  );
}
