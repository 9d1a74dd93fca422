/**
 * Writes the JSON report as the run goes: the header first, each listed document as it is
 * judged, the summary last. Nothing larger than one document is ever stringified, so the report
 * of any run fits in memory (one `JSON.stringify` of the whole report died with "Invalid string
 * length" on a million invalid lines).
 */
import type { CheckSummary, DocumentResult } from './check.ts';
import { hasPassed, type ReportHeader } from './report.ts';

/** Receives the report piece by piece; each piece is one or more whole lines, without the final newline. */
export type ReportSink = (lines: string) => void;

/** The three phases of a streamed report; call them in order, `document` any number of times. */
export type JsonReportWriter = {
  begin(header: ReportHeader): void;
  document(result: DocumentResult): void;
  end(summary: CheckSummary): void;
};

/**
 * Creates a writer whose output, joined with newlines, is the report object pretty-printed with
 * two-space indentation: `generated_at_utc`, `fixture_root`, `artifact`, `limits`, `documents`,
 * `summary`, `passed`.
 */
export function createJsonReportWriter(sinks: readonly ReportSink[]): JsonReportWriter {
  const emit = (lines: string): void => {
    for (const sink of sinks) sink(lines);
  };
  // Each document is held back until the next one arrives, to know whether it needs a comma.
  let held: string | undefined;
  return {
    begin(header) {
      emit(`{\n${members(header)},\n  "documents": [`);
    },
    document(result) {
      if (held !== undefined) emit(`${held},`);
      held = indent(JSON.stringify(result, null, 2), '    ');
    },
    end(summary) {
      if (held !== undefined) emit(held);
      held = undefined;
      emit(`  ],\n${members({ summary, passed: hasPassed(summary) })}\n}`);
    },
  };
}

/** The members of `object` as they appear inside a pretty-printed object (no braces). */
function members(object: object): string {
  const text = JSON.stringify(object, null, 2);
  return text.slice(2, -2);
}

const indent = (text: string, prefix: string): string =>
  text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
