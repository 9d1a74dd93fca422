/**
 * The outputs of `validate-contracts`: the human lines, the JSON report (DX-02:
 * `generated_at_utc`, `fixture_root`, `summary`, `passed`, plus `limits` and `documents`), written
 * as it goes by json-report.ts, and its Markdown twin.
 */
import { printable } from '../printable.ts';
import type { CheckLimits, CheckSummary, DocumentResult } from './check.ts';

/** The fields of the JSON report known before any document is read. */
export type ReportHeader = {
  generated_at_utc: string;
  /** The PATH arguments, as given. */
  fixture_root: string[];
  /** The `--artifact` every document was validated as, or `null` when each was matched. */
  artifact: string | null;
  /** What `documents` and each document's `issues` are capped at. */
  limits: { documents_listed: number; issues_per_document: number };
};

/** The report header for a run starting now. */
export function reportHeader(
  paths: string[],
  artifact: string | undefined,
  limits: CheckLimits,
): ReportHeader {
  return {
    generated_at_utc: new Date().toISOString(),
    fixture_root: paths,
    artifact: artifact ?? null,
    limits: {
      documents_listed: limits.documentsListed,
      issues_per_document: limits.issuesPerDocument,
    },
  };
}

/** File names `--report DIR` writes. */
export const REPORT_FILES = {
  json: 'contracts-report.json',
  markdown: 'contracts-report.md',
} as const;

/** Invalid documents the Markdown report details; it is for people, the JSON report has more. */
export const MAX_MARKDOWN_DOCUMENTS = 200;

/** Whether a run passed: at least one document and none invalid. */
export function hasPassed(summary: CheckSummary): boolean {
  return summary.documents > 0 && summary.invalid === 0;
}

/**
 * Text lines for one document: a header for an invalid one (plus its issues), or an `ok` line.
 * Locations and messages are escaped: a file name or property name holding a newline must not
 * forge a line of its own.
 */
export function formatResult(result: DocumentResult): string[] {
  const location = printable(result.location);
  if (result.valid) return [`ok    ${location} (${result.artifact ?? 'unknown'})`];
  const as =
    result.artifact !== null
      ? ` (${result.artifact})`
      : result.closest !== undefined
        ? ` (matches no artifact; closest: ${result.closest})`
        : '';
  const lines = [`FAIL  ${location}${as}`];
  for (const issue of result.issues) lines.push(`      ${printable(issue.message)}`);
  const hidden = result.omitted_issues ?? 0;
  if (hidden > 0) lines.push(`      … and ${hidden} more issue${hidden === 1 ? '' : 's'}`);
  return lines;
}

/** The one-line summary, e.g. `3 documents: 2 valid, 1 invalid (2 files, 1 with invalid documents)`. */
export function formatSummary(summary: CheckSummary): string {
  const files = `${summary.files} file${summary.files === 1 ? '' : 's'}`;
  return `${summary.documents} document${summary.documents === 1 ? '' : 's'}: ${summary.valid} valid, ${summary.invalid} invalid (${files}, ${summary.invalid_files} with invalid documents)`;
}

/** One line of per-artifact counts, e.g. `by artifact: event_record 2, none 1`. */
export function formatByArtifact(summary: CheckSummary): string {
  const parts = Object.entries(summary.by_artifact).map(([name, c]) => `${name} ${c.documents}`);
  return `by artifact: ${parts.length === 0 ? '(none)' : parts.join(', ')}`;
}

/** Lines saying how many documents the listing left out, or none when it left out none. */
export function formatUnlisted(
  summary: CheckSummary,
  limits: CheckLimits,
  valid: boolean,
): string[] {
  const kind = valid ? 'valid' : 'invalid';
  const count = summary.unlisted[kind];
  if (count === 0) return [];
  return [
    `… and ${count} more ${kind} document${count === 1 ? '' : 's'} not listed (only the first ${limits.documentsListed} are)`,
  ];
}

/**
 * Renders the report as Markdown for people reading CI artifacts: the counts of the whole run and
 * `invalid`, the first (at most {@link MAX_MARKDOWN_DOCUMENTS}) invalid documents.
 */
export function renderMarkdown(
  header: ReportHeader,
  summary: CheckSummary,
  invalid: readonly DocumentResult[],
): string {
  const report = { ...header, passed: hasPassed(summary) };
  const lines = [
    '# Contracts report',
    '',
    `- generated_at_utc: ${report.generated_at_utc}`,
    `- fixture_root: ${report.fixture_root.map(code).join(', ')}`,
    `- artifact: ${report.artifact === null ? 'matched per document' : code(report.artifact)}`,
    `- passed: **${report.passed ? 'yes' : 'no'}**`,
    '',
    '| documents | valid | invalid | files | files with invalid documents |',
    '| ---: | ---: | ---: | ---: | ---: |',
    `| ${summary.documents} | ${summary.valid} | ${summary.invalid} | ${summary.files} | ${summary.invalid_files} |`,
    '',
    '## By artifact',
    '',
    '| artifact | documents | valid | invalid |',
    '| --- | ---: | ---: | ---: |',
    ...Object.entries(summary.by_artifact).map(
      ([name, c]) => `| ${code(name)} | ${c.documents} | ${c.valid} | ${c.invalid} |`,
    ),
  ];
  const shown = invalid.slice(0, MAX_MARKDOWN_DOCUMENTS);
  if (shown.length > 0) lines.push('', '## Invalid documents');
  for (const doc of shown) {
    const as =
      doc.artifact ?? (doc.closest === undefined ? 'no artifact' : `closest: ${doc.closest}`);
    lines.push('', `### ${code(doc.location)} (${as})`, '');
    for (const issue of doc.issues) lines.push(`- ${code(issue.message)}`);
    const hidden = doc.omitted_issues ?? 0;
    if (hidden > 0) lines.push(`- … and ${hidden} more issue${hidden === 1 ? '' : 's'}`);
  }
  const rest = summary.invalid - shown.length;
  if (rest > 0) {
    lines.push(
      '',
      `… and ${rest} more invalid document${rest === 1 ? '' : 's'} not listed here (${REPORT_FILES.json} lists up to ${header.limits.documents_listed}; the counts above cover every document).`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** An inline code span that survives backticks and control characters in names and messages. */
function code(text: string): string {
  const flat = printable(text);
  const longest = Math.max(0, ...Array.from(flat.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
