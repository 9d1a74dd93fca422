/**
 * What a runtime and its sessions take from one compiled pipeline (`rspp run --pipeline`,
 * `rspp worker --pipeline`): the graph, the CP snapshot of a registry holding that version, the
 * provider catalogue cut down to the providers the file names, and the session options. Pure:
 * the catalogue of every provider the caller can build is passed in.
 */
import type { SessionPolicies } from '../../machines/index.ts';
import type { GraphSpec } from '../graph/graph.ts';
import type { ProviderCatalogue } from '../nodes/types.ts';
import type { ControlPlaneSnapshot } from '../turn-start/snapshot.ts';
import type { NodeKind } from './catalogue.ts';
import type { CompiledPipeline } from './compile.ts';
import { createPipelineRegistry } from './registry.ts';

/** The session options of a pipeline's sessions (`openSession`). */
export type PipelineSessionOptions = {
  readonly pipeline_version: string;
  readonly policies: SessionPolicies;
};

/** What `createRuntime` and `openSession` take from a pipeline. */
export type PipelineRuntimeInputs = {
  readonly graph: GraphSpec;
  /** CP-01/03/04 sections of a registry holding only this version. */
  readonly snapshot: ControlPlaneSnapshot;
  /** Per modality, the ports of the given catalogue that some node of the file names. */
  readonly providers: ProviderCatalogue;
  readonly session: PipelineSessionOptions;
};

/**
 * The runtime inputs of `pipeline` on the providers of `catalogue`.
 *
 * @remarks A provider the file does not name is left out, so RK-11 never falls back to it; a
 * modality no node uses gets no providers. The pipeline must have been compiled against
 * `availableProvidersOf(catalogue)`, so every provider it names is there.
 */
export function pipelineRuntimeInputs(
  pipeline: CompiledPipeline,
  catalogue: ProviderCatalogue,
): PipelineRuntimeInputs {
  const registry = createPipelineRegistry();
  // A fresh registry takes any compiled version: nothing can be registered under it yet.
  registry.register(pipeline);
  const named = (modality: NodeKind): Set<string> =>
    new Set(
      pipeline.graph.nodes
        .filter((node) => node.node_type === modality)
        .flatMap((node) => pipeline.node_providers[node.node_id] ?? []),
    );
  const keep = <TPort extends { readonly capabilities: { readonly provider_id: string } }>(
    ports: readonly TPort[] | undefined,
    ids: ReadonlySet<string>,
  ): readonly TPort[] => (ports ?? []).filter((port) => ids.has(port.capabilities.provider_id));
  const [stt, llm, tts] = [named('stt'), named('llm'), named('tts')];
  const providers: ProviderCatalogue = {
    ...(stt.size === 0 ? {} : { stt: keep(catalogue.stt, stt) }),
    ...(llm.size === 0 ? {} : { llm: keep(catalogue.llm, llm) }),
    ...(tts.size === 0 ? {} : { tts: keep(catalogue.tts, tts) }),
  };
  return {
    graph: pipeline.graph,
    snapshot: registry.snapshot(pipeline.pipeline_version),
    providers,
    session: pipelineSessionOptions(pipeline),
  };
}

/** What every session of `pipeline` opens with: its version and its session policies. */
export function pipelineSessionOptions(pipeline: CompiledPipeline): PipelineSessionOptions {
  return { pipeline_version: pipeline.pipeline_version, policies: pipeline.session_policies };
}

/** The node types a pipeline uses, fallback nodes included, in declaration order without repeats. */
export function nodeTypesOf(pipeline: CompiledPipeline): readonly string[] {
  return [...new Set(pipeline.graph.nodes.map((node) => node.node_type))];
}
