/**
 * Validates every document under the PATH arguments, one file at a time: results stream to a
 * callback and only counts are kept, so neither file descriptors nor memory grow with the input.
 * Only the first documents of each verdict are passed on (the rest are counted); in long runs a
 * schema screen gives the verdict, and the validator builds issues only for documents shown.
 */
import type { ArtifactName, ContractValidator, ValidationIssue } from '../../../contracts/index.ts';
import { readDocuments, readIssue, type DocumentInput } from './read-documents.ts';
import type { ContractScreen } from '../../../contracts/internal.ts';
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
  /** The first {@link CHECK_LIMITS}`.issuesPerDocument` issues. */
  issues: ValidationIssue[];
  /** How many issues past the kept ones the document has; absent when none were dropped. */
  omitted_issues?: number;
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
  /** Documents counted above but not passed to `onResult` (past the listing limit). */
  unlisted: { valid: number; invalid: number };
};

/** How much of a run is passed on in detail; everything is counted regardless. */
export type CheckLimits = {
  /** Valid documents, and separately invalid ones, passed to `onResult`. */
  readonly documentsListed: number;
  /** Issues kept per document. */
  readonly issuesPerDocument: number;
};

/**
 * Limits that keep output and memory bounded whatever the input: a million invalid lines used to
 * print 350 MB of text, and the JSON report outgrew the largest string V8 can build.
 */
export const CHECK_LIMITS: CheckLimits = { documentsListed: 1000, issuesPerDocument: 20 };

/** What to validate and where results go. */
export type CheckOptions = {
  paths: readonly string[];
  cwd: string;
  /** Validate every document as this artifact instead of matching against all of them. */
  artifact: ArtifactName | undefined;
  /** Called lazily on the first document, so runs with nothing to parse skip schema compilation. */
  createValidator: () => ContractValidator;
  /** Called lazily, once a run is past `limits.documentsListed` documents. */
  createScreen: () => ContractScreen;
  /** Called for each document within the listing limits, in input order. */
  onResult: (result: DocumentResult) => void;
  limits?: CheckLimits;
};

/** Key under which `by_artifact` counts documents that matched no artifact. */
const UNMATCHED_KEY = 'none';

/** Walks, reads and validates every document, calling `onResult` for each, and returns totals. */
export async function checkPaths(options: CheckOptions): Promise<CheckSummary> {
  const limits = options.limits ?? CHECK_LIMITS;
  const summary: CheckSummary = {
    documents: 0,
    valid: 0,
    invalid: 0,
    files: 0,
    invalid_files: 0,
    by_artifact: {},
    unlisted: { valid: 0, invalid: 0 },
  };
  const listed = { valid: 0, invalid: 0 };
  let validator: ContractValidator | undefined;
  let screen: ContractScreen | undefined;
  const judge = (input: DocumentInput, file: string): DocumentResult => {
    if (input.kind === 'error')
      return verdict(file, input.line, options.artifact ?? null, [input.issue]);
    validator ??= options.createValidator();
    const listing = listed.invalid < limits.documentsListed;
    // Compiling the screen costs about a second: worth it only for runs past the first thousand.
    if (listing && summary.documents < limits.documentsListed)
      return judgeDocument(validator, options.artifact, input.value, file, input.line);
    screen ??= options.createScreen();
    const quick = screenDocument(
      validator,
      screen,
      options.artifact,
      input.value,
      file,
      input.line,
    );
    // A valid verdict carries no issues, so the screen's is the whole answer; an invalid document
    // still to be listed needs the validator's issues (and closest artifact).
    if (quick.valid || !listing) return quick;
    return judgeDocument(validator, options.artifact, input.value, file, input.line);
  };
  const record = (result: DocumentResult): void => {
    const kind = result.valid ? 'valid' : 'invalid';
    summary.documents++;
    summary[kind]++;
    const key = result.artifact ?? UNMATCHED_KEY;
    const counts = (summary.by_artifact[key] ??= { documents: 0, valid: 0, invalid: 0 });
    counts.documents++;
    counts[kind]++;
    if (listed[kind] >= limits.documentsListed) {
      summary.unlisted[kind]++;
      return;
    }
    listed[kind]++;
    options.onResult(keepIssues(result, limits.issuesPerDocument));
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

/** Drops the issues past `max`, counting them, so one pathological document stays small. */
function keepIssues(result: DocumentResult, max: number): DocumentResult {
  if (result.issues.length <= max) return result;
  return {
    ...result,
    issues: result.issues.slice(0, max),
    omitted_issues: result.issues.length - max,
  };
}

/**
 * The verdict and artifact `judgeDocument` would give, without issues: the schema screen rejects
 * most invalid documents without building any; the validator still decides whenever a schema
 * accepts (semantic rules) or two do (the validator's match order).
 */
function screenDocument(
  validator: ContractValidator,
  screen: ContractScreen,
  artifact: ArtifactName | undefined,
  doc: unknown,
  file: string,
  line: number | undefined,
): DocumentResult {
  const bare = (matched: ArtifactName | null, valid: boolean): DocumentResult => ({
    ...verdict(file, line, matched, []),
    valid,
  });
  try {
    if (artifact !== undefined) {
      const valid = screen.accepts(artifact, doc) && validator.validate(artifact, doc).valid;
      return bare(artifact, valid);
    }
    const accepted = screen.accepting(doc);
    if (accepted.length === 0) return bare(null, false);
    const [only] = accepted;
    if (accepted.length === 1 && only !== undefined)
      return validator.validate(only, doc).valid ? bare(only, true) : bare(null, false);
    const match = validator.match(doc);
    return bare(match.artifact, match.artifact !== null);
  } catch {
    // As in judgeDocument: a validator bug costs one document, not the run.
    return bare(artifact ?? null, false);
  }
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
