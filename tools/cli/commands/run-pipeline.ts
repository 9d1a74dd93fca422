/**
 * `rspp run --pipeline FILE`: loads the file against the providers a run builds, and refuses a
 * pipeline the chosen transport cannot carry (the wav transport needs audio in and out, the
 * console transport shows text only), before anything starts.
 */
import { resolve } from 'node:path';
import type { CompiledPipeline } from '../../../actors/pipeline/compile.ts';
import { nodeTypesOf } from '../../../actors/pipeline/runtime-inputs.ts';
import { loadPipelineFile } from '../../pipeline/load.ts';
import { refusalLine } from '../../pipeline/summary.ts';
import { runProviders } from '../../run/session-run.ts';
import type { RunTransport } from './run.ts';

/** Loads `file` (relative to `cwd`) for `transport`: the pipeline, or the one-line refusal. */
export async function loadRunPipeline(
  file: string,
  cwd: string,
  transport: RunTransport,
): Promise<CompiledPipeline | { error: string }> {
  const loaded = await loadPipelineFile(resolve(cwd, file), { providers: runProviders() });
  if (!loaded.ok) return { error: refusalLine(file, loaded.issues) };
  const pipeline = loaded.pipeline;
  const types = nodeTypesOf(pipeline);
  const received = `${pipeline.pipeline_version} (nodes: ${types.join(', ')})`;
  if (transport === 'wav' && !(types.includes('stt') && types.includes('tts')))
    return {
      error: `--pipeline: expected a pipeline with stt and tts nodes for --transport wav (audio in, audio out), received ${received}`,
    };
  if (transport === 'console' && types.some((type) => type !== 'llm'))
    return {
      error: `--pipeline: expected a pipeline of llm nodes only for --transport console (text in, text out), received ${received}`,
    };
  return pipeline;
}
