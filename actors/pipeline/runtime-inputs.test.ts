import { describe, expect, it } from 'vitest';
import type { LlmPort, SttPort, TtsPort } from '../../contracts/index.ts';
import type { ProviderCatalogue } from '../nodes/types.ts';
import { resolveTurnStartBundle } from '../turn-start/bundle.ts';
import { nodeTypesOf, pipelineRuntimeInputs } from './runtime-inputs.ts';
import { baseFile, compiled } from './test-kit.ts';

/** A port that only names itself: the inputs read nothing else. */
const port = <TPort>(provider_id: string) => ({ capabilities: { provider_id } }) as TPort;

const CATALOGUE: ProviderCatalogue = {
  stt: ['stt-sim', 'stt-sim-b'].map((id) => port<SttPort>(id)),
  llm: ['llm-sim', 'llm-sim-b'].map((id) => port<LlmPort>(id)),
  tts: ['tts-sim', 'tts-sim-b'].map((id) => port<TtsPort>(id)),
};

const ids = (ports: readonly { capabilities: { provider_id: string } }[] | undefined) =>
  ports?.map((p) => p.capabilities.provider_id);

describe('pipelineRuntimeInputs', () => {
  it('keeps only the providers the nodes name, per modality', () => {
    const inputs = pipelineRuntimeInputs(compiled(baseFile()), CATALOGUE);
    expect(ids(inputs.providers.stt)).toEqual(['stt-sim', 'stt-sim-b']);
    expect(ids(inputs.providers.llm)).toEqual(['llm-sim']);
    expect(ids(inputs.providers.tts)).toEqual(['tts-sim']);
  });

  it('gives a modality no node uses no providers', () => {
    const doc = {
      format: 'rspp.pipeline/v1',
      pipeline_version: 'text-v1',
      nodes: [{ node_id: 'llm', node_type: 'llm', providers: ['llm-sim-b'] }],
      policies: { opening_proposal: 'queue' },
    };
    const inputs = pipelineRuntimeInputs(compiled(doc), CATALOGUE);
    expect(inputs.providers).toEqual({ llm: [CATALOGUE.llm?.[1]] });
    expect(inputs.session).toEqual({
      pipeline_version: 'text-v1',
      policies: expect.objectContaining({ opening_proposal: 'queue' }) as unknown,
    });
    expect(nodeTypesOf(compiled(doc))).toEqual(['llm']);
  });

  it('passes the graph and a snapshot under which turn start resolves the version', () => {
    const pipeline = compiled({ ...baseFile(), pipeline_version: 'p-7' });
    const inputs = pipelineRuntimeInputs(pipeline, CATALOGUE);
    expect(inputs.graph).toBe(pipeline.graph);
    expect(nodeTypesOf(pipeline)).toEqual(['stt', 'llm', 'tts']);
    const request = (requested_pipeline_version: string) => ({
      session_id: 's-1',
      turn_id: 't-1',
      requested_authority_epoch: 1,
      requested_pipeline_version,
    });
    const bundle = resolveTurnStartBundle(inputs.snapshot, request('p-7'));
    expect(bundle.ok && bundle.bundle).toMatchObject({
      pipeline_version: 'p-7',
      graph_definition_ref: 'graph/p-7',
      provider_bindings: { stt: 'stt-sim', llm: 'llm-sim', tts: 'tts-sim' },
    });
    // The registry holds this version only: any other request resolves to it (CP-01 default).
    const other = resolveTurnStartBundle(inputs.snapshot, request('pipeline-v1'));
    expect(other.ok && other.bundle.pipeline_version).toBe('p-7');
  });
});
