/**
 * `rspp validate-contracts`: validates JSON and JSON Lines documents against the contract
 * artifacts (DX-02). Parses flags, rejects usage errors before touching any document, then
 * streams results to the terminal or collects them into the JSON and Markdown reports.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createContractValidator, type ArtifactName } from '../../../contracts/index.ts';
import { ARTIFACT_NAMES, isArtifactName } from '../../../contracts/internal.ts';
import { parseFlags } from '../args.ts';
import { EXIT, type CliIo, type Command } from '../command.ts';
import { errorCode, errorReason } from '../error-code.ts';
import { printable } from '../printable.ts';
import { CHECK_LIMITS, checkPaths, type DocumentResult } from '../validate-contracts/check.ts';
import { createJsonReportWriter, type ReportSink } from '../validate-contracts/json-report.ts';
import { MAX_DOCUMENT_BYTES } from '../validate-contracts/read-documents.ts';
import {
  formatByArtifact,
  formatResult,
  formatSummary,
  formatUnlisted,
  hasPassed,
  MAX_MARKDOWN_DOCUMENTS,
  renderMarkdown,
  REPORT_FILES,
  reportHeader,
} from '../validate-contracts/report.ts';
import { createContractScreen } from '../../../contracts/internal.ts';
import { openAtomicFile, writeFileAtomic, type AtomicFile } from '../write-atomic.ts';

const OPTIONS = {
  artifact: { type: 'string' },
  json: { type: 'boolean' },
  report: { type: 'string' },
  verbose: { type: 'boolean' },
} as const;

const USAGE = `rspp validate-contracts [--artifact NAME] [--json] [--report DIR] [--verbose] PATH...

Validates JSON and JSON Lines documents against the contract artifacts.

  PATH             a file (one JSON document whatever its extension; .jsonl and .ndjson hold
                   one document per line) or a directory, walked recursively in sorted order
                   for .json and .jsonl files
  --artifact NAME  validate every document as NAME; without it each document is matched
                   against every artifact and the report names the one it matched
  --json           print one JSON report object on stdout instead of text
  --report DIR     also write DIR/${REPORT_FILES.json} and DIR/${REPORT_FILES.markdown}
  --verbose        also list each valid document with its artifact

Artifacts: ${ARTIFACT_NAMES.join(', ')}
Limits: a .json file or a .jsonl line over ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB is reported invalid without being parsed.
Every document is counted, but only the first ${CHECK_LIMITS.documentsListed} invalid (and, in reports and with
--verbose, ${CHECK_LIMITS.documentsListed} valid) documents are listed, each with at most ${CHECK_LIMITS.issuesPerDocument} issues; the output
says how many it left out. --json and --report write the report as they go.
Exit codes: 0 every document valid; 1 any document invalid or unreadable, or no documents found;
2 usage error (unknown flag or artifact, missing or nonexistent PATH, unusable report DIR).`;

/** The `validate-contracts` command. */
export const validateContractsCommand: Command = {
  name: 'validate-contracts',
  summary: 'Validate JSON / JSONL documents against the contract artifacts.',
  usage: USAGE,
  run: runValidateContracts,
};

type Settings = {
  paths: string[];
  artifact: ArtifactName | undefined;
  json: boolean;
  /** Absolute report directory, and the spelling the user gave for messages. */
  reportDir: string | undefined;
  reportLabel: string;
  verbose: boolean;
};

async function runValidateContracts(args: readonly string[], io: CliIo): Promise<number> {
  const settings = await readSettings(args, io);
  if (typeof settings === 'string') {
    io.err(`rspp validate-contracts: ${printable(settings)}`);
    io.err(USAGE);
    return EXIT.usage;
  }
  const limits = CHECK_LIMITS;
  const header = reportHeader(settings.paths, settings.artifact, limits);
  let reportFile: AtomicFile | undefined;
  if (settings.reportDir !== undefined) {
    try {
      reportFile = openAtomicFile(join(settings.reportDir, REPORT_FILES.json));
    } catch (error) {
      return reportFailure(io, settings.reportLabel, error);
    }
  }
  const sinks: ReportSink[] = [];
  if (settings.json) sinks.push((lines) => io.out(lines));
  const file = reportFile;
  if (file !== undefined) sinks.push((lines) => file.writeLine(lines));
  const json = sinks.length > 0 ? createJsonReportWriter(sinks) : undefined;
  // The Markdown report details only its first invalid documents; nothing else is kept.
  const forMarkdown: DocumentResult[] = [];
  json?.begin(header);
  const summary = await checkPaths({
    paths: settings.paths,
    cwd: io.cwd,
    artifact: settings.artifact,
    createValidator: createContractValidator,
    createScreen: createContractScreen,
    limits,
    onResult: (result) => {
      json?.document(result);
      if (reportFile !== undefined && !result.valid && forMarkdown.length < MAX_MARKDOWN_DOCUMENTS)
        forMarkdown.push(result);
      if (!settings.json && (!result.valid || settings.verbose)) {
        for (const line of formatResult(result)) io.out(line);
      }
    },
  });
  json?.end(summary);
  if (summary.documents === 0) {
    const where = settings.paths.map(printable).join(', ');
    io.err(`rspp validate-contracts: no .json or .jsonl documents found in ${where}`);
  }
  if (!settings.json) {
    for (const line of formatUnlisted(summary, limits, false)) io.out(line);
    if (settings.verbose) for (const line of formatUnlisted(summary, limits, true)) io.out(line);
    io.out(formatSummary(summary));
    io.out(formatByArtifact(summary));
  }
  if (settings.reportDir !== undefined && reportFile !== undefined) {
    try {
      reportFile.commit();
      await writeFileAtomic(
        join(settings.reportDir, REPORT_FILES.markdown),
        renderMarkdown(header, summary, forMarkdown),
      );
    } catch (error) {
      return reportFailure(io, settings.reportLabel, error);
    }
    const written = `report written to ${printable(settings.reportLabel)}/${REPORT_FILES.json} and ${REPORT_FILES.markdown}`;
    if (settings.json) io.err(written);
    else io.out(written);
  }
  return hasPassed(summary) ? EXIT.ok : EXIT.failure;
}

function reportFailure(io: CliIo, label: string, error: unknown): number {
  io.err(
    `rspp validate-contracts: cannot write the report to ${printable(label)}: ${errorReason(error)}`,
  );
  return EXIT.failure;
}

/** Parses and checks the arguments; a string is the usage error to print. */
async function readSettings(args: readonly string[], io: CliIo): Promise<Settings | string> {
  const parsed = parseFlags(args, OPTIONS);
  if (!parsed.ok) return parsed.message;
  const { values, positionals } = parsed;
  if (positionals.length === 0) return 'missing PATH argument (a file or directory to validate)';
  const artifact = values.artifact;
  if (artifact !== undefined && !isArtifactName(artifact)) {
    return `unknown artifact "${artifact}"; valid artifacts: ${ARTIFACT_NAMES.join(', ')}`;
  }
  for (const path of positionals) {
    try {
      await stat(resolve(io.cwd, path));
    } catch (error) {
      return errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR'
        ? `path does not exist: ${path}`
        : `cannot access ${path}: ${errorReason(error)}`;
    }
  }
  let reportDir: string | undefined;
  if (values.report !== undefined) {
    reportDir = resolve(io.cwd, values.report);
    try {
      await mkdir(reportDir, { recursive: true });
    } catch (error) {
      return `cannot create report directory ${values.report}: ${errorReason(error)}`;
    }
  }
  return {
    paths: positionals,
    artifact,
    json: values.json === true,
    reportDir,
    reportLabel: values.report ?? '',
    verbose: values.verbose === true,
  };
}
