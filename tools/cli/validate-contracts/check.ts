/**
 * Validates every document under the PATH arguments, one file at a time: results stream to a
 * callback and only counts are kept, so neither file descriptors nor memory grow with the input.
 */
import type { ArtifactName, ContractValidator, ValidationIssue } from '../../../contracts/index.ts';
import { readDocuments, readIssue, type DocumentInput } from './read-documents.ts';
import { walkPaths } from './walk.ts';

/** The verdict on one document (a whole `.json` file, or one line of a JSON Lines file). */
export type DocumentResult = {
  /** `file` or `file:line`, with the file as reached from the PATH argument. */
  location: string;
  file: string;
  line?: number;
  /** The artifact validated against (`--artifact`) or matched; `null` when none matched. */
  artifact: ArtifactName | null;
  /** For an unmatched document, the artifact it came closest to (its issues are reported). */
  closest?: ArtifactName;
  valid: boolean;
  issues: ValidationIssue[];
};

/** Per-artifact document counts; unmatched documents count under `none`. */
export type ArtifactCounts = { documents: number; valid: number; invalid: number };

/** Totals of one run. */
export type CheckSummary = {
  documents: number;
  valid: number;
  invalid: number;
  files: number;
  invalid_files: number;
  by_artifact: Record<string, ArtifactCounts>;
};

/** What to validate and where results go. */
export type CheckOptions = {
  paths: readonly string[];
  cwd: string;
  /** Validate every document as this artifact instead of matching against all of them. */
  artifact: ArtifactName | undefined;
  /** Called lazily on the first document, so runs with nothing to parse skip schema compilation. */
  createValidator: () => ContractValidator;
  onResult: (result: DocumentResult) => void;
};

/** Key under which `by_artifact` counts documents that matched no artifact. */
const UNMATCHED_KEY = 'none';

/** Walks, reads and validates every document, calling `onResult` for each, and returns totals. */
export async function checkPaths(options: CheckOptions): Promise<CheckSummary> {
  const summary: CheckSummary = {
    documents: 0,
    valid: 0,
    invalid: 0,
    files: 0,
    invalid_files: 0,
    by_artifact: {},
  };
  let validator: ContractValidator | undefined;
  const judge = (input: DocumentInput, file: string): DocumentResult => {
    if (input.kind === 'error')
      return verdict(file, input.line, options.artifact ?? null, [input.issue]);
    validator ??= options.createValidator();
    return judgeDocument(validator, options.artifact, input.value, file, input.line);
  };
  const record = (result: DocumentResult): void => {
    summary.documents++;
    summary[result.valid ? 'valid' : 'invalid']++;
    const key = result.artifact ?? UNMATCHED_KEY;
    const counts = (summary.by_artifact[key] ??= { documents: 0, valid: 0, invalid: 0 });
    counts.documents++;
    counts[result.valid ? 'valid' : 'invalid']++;
    options.onResult(result);
  };

  for await (const entry of walkPaths(options.paths, options.cwd)) {
    summary.files++;
    if (entry.kind === 'error') {
      summary.invalid_files++;
      const issue = readIssue(entry.rule, 'a readable regular file', entry.reason);
      record(verdict(entry.display, undefined, options.artifact ?? null, [issue]));
      continue;
    }
    let fileInvalid = false;
    for await (const input of readDocuments(entry.path, entry.lines)) {
      const result = judge(input, entry.display);
      fileInvalid ||= !result.valid;
      record(result);
    }
    if (fileInvalid) summary.invalid_files++;
  }
  summary.by_artifact = sortKeys(summary.by_artifact);
  return summary;
}

function judgeDocument(
  validator: ContractValidator,
  artifact: ArtifactName | undefined,
  doc: unknown,
  file: string,
  line: number | undefined,
): DocumentResult {
  try {
    if (artifact !== undefined) {
      const result = validator.validate(artifact, doc);
      return verdict(file, line, artifact, result.valid ? [] : result.issues);
    }
    const match = validator.match(doc);
    if (match.artifact !== null) return verdict(file, line, match.artifact, []);
    const [best] = match.candidates;
    const issues = best?.issues ?? [
      readIssue('no_match', 'one of the contract artifacts', 'matches no artifact'),
    ];
    return verdict(file, line, null, issues, best?.artifact);
  } catch (error) {
    // A validator bug must cost one document, not the run (and never print the document).
    const reason = `validator error: ${error instanceof Error ? error.name : 'unknown'}`;
    return verdict(file, line, artifact ?? null, [
      readIssue('validator_error', 'no error', reason),
    ]);
  }
}

function verdict(
  file: string,
  line: number | undefined,
  artifact: ArtifactName | null,
  issues: ValidationIssue[],
  closest?: ArtifactName,
): DocumentResult {
  // Spread in field order so the JSON report reads location, line, artifact, verdict, issues.
  return {
    location: line === undefined ? file : `${file}:${line}`,
    file,
    ...(line === undefined ? {} : { line }),
    artifact,
    ...(closest === undefined ? {} : { closest }),
    valid: issues.length === 0,
    issues,
  };
}

// Insertion order follows the input; sorted keys make reports diffable between runs.
function sortKeys<TValue>(record: Record<string, TValue>): Record<string, TValue> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
