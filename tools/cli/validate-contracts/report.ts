/**
 * The outputs of `validate-contracts`: the human lines, the JSON report (DX-02:
 * `generated_at_utc`, `fixture_root`, `summary`, `passed`, plus `documents`) and its Markdown twin.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../write-atomic.ts';
import type { CheckSummary, DocumentResult } from './check.ts';

/** The machine-readable report printed by `--json` and written by `--report`. */
export type ContractsReport = {
  generated_at_utc: string;
  /** The PATH arguments, as given. */
  fixture_root: string[];
  /** The `--artifact` every document was validated as, or `null` when each was matched. */
  artifact: string | null;
  summary: CheckSummary;
  passed: boolean;
  documents: DocumentResult[];
};

/** File names `--report DIR` writes. */
export const REPORT_FILES = {
  json: 'contracts-report.json',
  markdown: 'contracts-report.md',
} as const;

// Past this many issues a document's text output says "and N more"; the JSON keeps them all.
const MAX_PRINTED_ISSUES = 20;
// The Markdown report is for people; the JSON report is complete.
const MAX_MARKDOWN_DOCUMENTS = 200;

/** Whether a run passed: at least one document and none invalid. */
export function hasPassed(summary: CheckSummary): boolean {
  return summary.documents > 0 && summary.invalid === 0;
}

/** Text lines for one document: a header for an invalid one (plus its issues), or an `ok` line. */
export function formatResult(result: DocumentResult): string[] {
  if (result.valid) return [`ok    ${result.location} (${result.artifact ?? 'unknown'})`];
  const as =
    result.artifact !== null
      ? ` (${result.artifact})`
      : result.closest !== undefined
        ? ` (matches no artifact; closest: ${result.closest})`
        : '';
  const lines = [`FAIL  ${result.location}${as}`];
  for (const issue of result.issues.slice(0, MAX_PRINTED_ISSUES))
    lines.push(`      ${issue.message}`);
  const hidden = result.issues.length - MAX_PRINTED_ISSUES;
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

/** Renders the report as Markdown for people reading CI artifacts. */
export function renderMarkdown(report: ContractsReport): string {
  const { summary } = report;
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
  const invalid = report.documents.filter((doc) => !doc.valid);
  if (invalid.length > 0) lines.push('', '## Invalid documents');
  for (const doc of invalid.slice(0, MAX_MARKDOWN_DOCUMENTS)) {
    const as =
      doc.artifact ?? (doc.closest === undefined ? 'no artifact' : `closest: ${doc.closest}`);
    lines.push('', `### ${code(doc.location)} (${as})`, '');
    for (const issue of doc.issues) lines.push(`- ${code(issue.message)}`);
  }
  if (invalid.length > MAX_MARKDOWN_DOCUMENTS) {
    lines.push(
      '',
      `… and ${invalid.length - MAX_MARKDOWN_DOCUMENTS} more invalid documents: see ${REPORT_FILES.json}.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Writes both report files into `dir` (which must exist), each atomically. */
export async function writeReport(dir: string, report: ContractsReport): Promise<void> {
  await writeFileAtomic(join(dir, REPORT_FILES.json), `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(join(dir, REPORT_FILES.markdown), renderMarkdown(report));
}

/** An inline code span that survives backticks and newlines in file names and messages. */
function code(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...Array.from(flat.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
