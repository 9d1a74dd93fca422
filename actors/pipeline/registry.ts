/**
 * CP-01 pipeline registry: the compiled versions a control plane serves. A version is immutable:
 * registering the same content again is a no-op, other content under a taken version is refused.
 * It publishes the CP snapshot sections turn start reads (registry records, the versions the
 * compiler supports, each version's CP-04 policy). State lives in the instance, never in the module.
 */
import type {
  ControlPlaneSnapshot,
  CpRead,
  PipelineRecord,
  RegistryValue,
} from '../turn-start/snapshot.ts';
import type { CompiledPipeline } from './compile.ts';
import { pipelineIssue, quote, refused, type PipelineResult } from './issues.ts';

/** The versions of a control plane. */
export type PipelineRegistry = {
  /** Adds a version; the same content again is a no-op, other content is `duplicate_version`. */
  register(pipeline: CompiledPipeline): PipelineResult<CompiledPipeline>;
  /** The compiled pipeline of a version. */
  get(pipeline_version: string): CompiledPipeline | undefined;
  /** Registered versions, in registration order. */
  versions(): readonly string[];
  /** The version unknown requests resolve to: the configured one, else the first registered. */
  defaultVersion(): string | undefined;
  /** The CP snapshot turn start reads for sessions of `pipeline_version` (CP-01, CP-03, CP-04). */
  snapshot(pipeline_version: string): ControlPlaneSnapshot;
};

/** Options of {@link createPipelineRegistry}. */
export type PipelineRegistryOptions = {
  /** Version served to requests naming no registered version (default: the first registered). */
  readonly default_version?: string;
};

const recordOf = (p: CompiledPipeline): PipelineRecord => ({
  pipeline_version: p.pipeline_version,
  graph_definition_ref: p.graph_definition_ref,
  execution_profile: p.execution_profile,
});

/** Creates an empty registry. */
export function createPipelineRegistry(options: PipelineRegistryOptions = {}): PipelineRegistry {
  const byVersion = new Map<string, CompiledPipeline>();

  const defaultVersion = (): string | undefined => {
    const configured = options.default_version;
    if (configured !== undefined && byVersion.has(configured)) return configured;
    return byVersion.keys().next().value;
  };

  const registrySection = (): CpRead<RegistryValue> => {
    const records = Object.fromEntries([...byVersion].map(([v, p]) => [v, recordOf(p)]));
    const fallback = defaultVersion();
    const chosen = fallback === undefined ? undefined : byVersion.get(fallback);
    return {
      status: 'ok',
      value: { records, ...(chosen === undefined ? {} : { default_record: recordOf(chosen) }) },
    };
  };

  return {
    register(pipeline) {
      const taken = byVersion.get(pipeline.pipeline_version);
      if (taken !== undefined && taken.digest !== pipeline.digest) {
        const expected = `new content under a new pipeline_version (registered digest ${taken.digest.slice(0, 12)})`;
        const received = `${quote(pipeline.pipeline_version)} with digest ${pipeline.digest.slice(0, 12)}`;
        return refused([
          pipelineIssue('duplicate_version', '/pipeline_version', expected, received),
        ]);
      }
      byVersion.set(pipeline.pipeline_version, taken ?? pipeline);
      return { ok: true, value: taken ?? pipeline };
    },
    get: (pipeline_version) => byVersion.get(pipeline_version),
    versions: () => [...byVersion.keys()],
    defaultVersion,
    snapshot(pipeline_version) {
      const pipeline = byVersion.get(pipeline_version);
      return {
        registry: registrySection(),
        graph_compiler: {
          status: 'ok',
          value: { supported_pipeline_versions: [...byVersion.keys()] },
        },
        ...(pipeline === undefined
          ? {}
          : {
              policy: {
                status: 'ok',
                value: {
                  allowed_adaptive_actions: pipeline.allowed_adaptive_actions,
                  provider_bindings: pipeline.provider_bindings,
                },
              },
            }),
      };
    },
  };
}
