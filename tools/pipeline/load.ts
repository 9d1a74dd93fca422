/**
 * Reads a pipeline file and turns it into a compiled pipeline, or into one clear refusal: the
 * size is capped before anything is read past it, the text must be UTF-8 JSON (a syntax error
 * names its line and column), then CP-02 normalizes and CP-03 compiles against the providers
 * the caller registers. `rspp pipeline check`, `rspp run --pipeline` and `rspp worker --pipeline`
 * all load through `loadPipelineFile`, so they accept and refuse the same files.
 */
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { PIPELINE_FILE_SCHEMA_ID, createDefinitionValidator } from '../../contracts/internal.ts';
import type { AvailableProvider } from '../../actors/pipeline/catalogue.ts';
import { compilePipeline, type CompiledPipeline } from '../../actors/pipeline/compile.ts';
import {
  pipelineIssue,
  type PipelineIssue,
  type PipelineResult,
} from '../../actors/pipeline/issues.ts';
import { normalizePipelineFile, type PipelineFileCheck } from '../../actors/pipeline/normalize.ts';
import { errorReason } from '../cli/error-code.ts';
import { locateJsonError } from '../cli/validate-contracts/json-syntax.ts';

/** Largest pipeline file read (1 MiB): a real one is a few kilobytes. */
export const MAX_PIPELINE_FILE_BYTES = 1024 * 1024;

/**
 * Providers this build of rspp constructs (`rspp run` and `rspp worker`: the seeded sims and
 * their `-b` backups). A file naming any other provider is refused unless the caller passes the
 * providers it really has (`availableProvidersOf(catalogue)`).
 */
export const BUILT_IN_PROVIDERS: readonly AvailableProvider[] = (
  ['stt', 'llm', 'tts'] as const
).flatMap((modality) => [
  { provider_id: `${modality}-sim`, modality },
  { provider_id: `${modality}-sim-b`, modality },
]);

/** Options of {@link loadPipelineFile}. */
export type LoadPipelineOptions = {
  /** Providers the runtime has (default {@link BUILT_IN_PROVIDERS}). */
  readonly providers?: readonly AvailableProvider[];
  /** The schema check, when the caller already built one (it compiles every contract schema). */
  readonly check?: PipelineFileCheck;
};

/** A loaded pipeline, or why the file is refused (`message` is ready to print on one line). */
export type PipelineLoad =
  | { readonly ok: true; readonly pipeline: CompiledPipeline }
  | { readonly ok: false; readonly issues: readonly PipelineIssue[]; readonly message: string };

/** Loads, normalizes (CP-02) and compiles (CP-03) a pipeline file; never throws. */
export async function loadPipelineFile(
  path: string,
  options: LoadPipelineOptions = {},
): Promise<PipelineLoad> {
  const text = await readPipelineText(path);
  const result = text.ok ? compilePipelineText(text.value, options) : text;
  if (result.ok) return { ok: true, pipeline: result.value };
  const [first, ...rest] = result.issues;
  const more = rest.length === 0 ? '' : ` (${String(rest.length)} more after this one)`;
  return {
    ok: false,
    issues: result.issues,
    message: `${path}: ${first?.message ?? 'refused'}${more}`,
  };
}

/** Parses, normalizes and compiles the text of a pipeline file. */
export function compilePipelineText(
  text: string,
  options: LoadPipelineOptions = {},
): PipelineResult<CompiledPipeline> {
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  const check = options.check ?? createDefinitionValidator(PIPELINE_FILE_SCHEMA_ID);
  const normalized = normalizePipelineFile(parsed.value, check);
  if (!normalized.ok) return normalized;
  return compilePipeline(normalized.value, { providers: options.providers ?? BUILT_IN_PROVIDERS });
}

const refuse = (issue: PipelineIssue): { ok: false; issues: readonly PipelineIssue[] } => ({
  ok: false,
  issues: [issue],
});

/** JSON text to a value; a syntax error names its line and column, never the file's content. */
function parseJson(text: string): PipelineResult<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    const at = locateJsonError(text);
    const reason = at?.reason ?? 'malformed JSON';
    const issue = pipelineIssue('malformed_json', '', 'well-formed JSON', reason);
    if (at === null) return refuse(issue);
    const where = `line ${String(at.line)} column ${String(at.column)}`;
    return refuse({ ...issue, message: `${where}: malformed_json: ${reason}` });
  }
}

/** The file's text, refusing a non-JSON extension, a non-file, an oversized file, non-UTF-8. */
async function readPipelineText(path: string): Promise<PipelineResult<string>> {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') {
    const expected = 'a JSON pipeline file (YAML is not supported, ADR 0039)';
    return refuse(pipelineIssue('unsupported_format', '', expected, `a ${ext} file`));
  }
  const unreadable = (received: string) =>
    refuse(pipelineIssue('file_unreadable', '', 'a readable regular file', received));
  const tooLarge = (received: string) => {
    const expected = `at most ${String(MAX_PIPELINE_FILE_BYTES)} bytes (1 MiB)`;
    return refuse(pipelineIssue('file_too_large', '', expected, received));
  };
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    return unreadable(errorReason(error));
  }
  try {
    const info = await handle.stat();
    if (!info.isFile())
      return unreadable(info.isDirectory() ? 'a directory' : 'not a regular file');
    // Refused before reading: a 10 MB file costs one stat, not a parse.
    if (info.size > MAX_PIPELINE_FILE_BYTES) return tooLarge(`${String(info.size)} bytes`);
    // One byte past the cap tells a file that grew since the stat.
    const buffer = Buffer.alloc(MAX_PIPELINE_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_PIPELINE_FILE_BYTES)
        return tooLarge(`more than ${String(MAX_PIPELINE_FILE_BYTES)} bytes`);
    }
    try {
      return {
        ok: true,
        value: new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length)),
      };
    } catch {
      return refuse(pipelineIssue('malformed_json', '', 'UTF-8 text', 'bytes that are not UTF-8'));
    }
  } catch (error) {
    return unreadable(errorReason(error));
  } finally {
    await handle.close();
  }
}
