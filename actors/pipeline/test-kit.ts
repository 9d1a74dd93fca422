/**
 * Shared by the pipeline tests: a valid pipeline file to break one field at a time, the schema
 * check, and compile-from-document with a fixed set of registered providers.
 */
import { PIPELINE_FILE_SCHEMA_ID, createDefinitionValidator } from '../../contracts/internal.ts';
import type { AvailableProvider } from './catalogue.ts';
import { compilePipeline, type CompiledPipeline } from './compile.ts';
import type { PipelineIssue, PipelineResult } from './issues.ts';
import { normalizePipelineFile } from './normalize.ts';

/** The pipeline file schema check. */
export const check = createDefinitionValidator(PIPELINE_FILE_SCHEMA_ID);

/** Two providers per modality. */
export const SIMS: readonly AvailableProvider[] = (['stt', 'llm', 'tts'] as const).flatMap(
  (modality) => [
    { provider_id: `${modality}-sim`, modality },
    { provider_id: `${modality}-sim-b`, modality },
  ],
);

/** A valid STT -> LLM -> TTS file on the sims, as a plain object to edit. */
export function baseFile(): Record<string, unknown> & {
  nodes: Record<string, unknown>[];
  edges: Record<string, unknown>[];
} {
  return {
    format: 'rspp.pipeline/v1',
    pipeline_version: 'p-1',
    nodes: [
      { node_id: 'stt', node_type: 'stt', providers: ['stt-sim', 'stt-sim-b'] },
      { node_id: 'llm', node_type: 'llm', providers: ['llm-sim'] },
      { node_id: 'tts', node_type: 'tts', providers: ['tts-sim'] },
    ],
    edges: [
      { from: 'stt', to: 'llm' },
      { from: 'llm', to: 'tts' },
    ],
  };
}

/** CP-02 then CP-03 on a parsed document. */
function compileDoc(
  doc: unknown,
  providers: readonly AvailableProvider[] = SIMS,
): PipelineResult<CompiledPipeline> {
  const normalized = normalizePipelineFile(doc, check);
  return normalized.ok ? compilePipeline(normalized.value, { providers }) : normalized;
}

/** The issues refusing a document (empty when it compiles). */
export function issuesOf(
  doc: unknown,
  providers: readonly AvailableProvider[] = SIMS,
): readonly PipelineIssue[] {
  const result = compileDoc(doc, providers);
  return result.ok ? [] : result.issues;
}

/** The compiled pipeline of a document that must compile. */
export function compiled(
  doc: unknown,
  providers: readonly AvailableProvider[] = SIMS,
): CompiledPipeline {
  const result = compileDoc(doc, providers);
  if (!result.ok) throw new Error(result.issues.map((i) => i.message).join('; '));
  return result.value;
}
