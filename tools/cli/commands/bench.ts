/**
 * `rspp bench` (what `npm run bench` runs): runs the benchmarks of tools/bench and writes their
 * reports. Benchmarks are never part of `npm test`: timing on shared machines is noise there.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BENCHMARKS } from '../../bench/benchmarks.ts';
import { renderTable, runBenchmarks } from '../../bench/run.ts';
import { parseFlags } from '../args.ts';
import { EXIT, type CliIo, type Command } from '../command.ts';
import { errorReason } from '../error-code.ts';
import { printable } from '../printable.ts';

const DEFAULT_OUT = 'reports/bench';

const OPTIONS = {
  only: { type: 'string' },
  out: { type: 'string' },
  strict: { type: 'boolean' },
} as const;

const USAGE = `rspp bench [--only NAME] [--out DIR] [--strict]

Runs the benchmarks, writes DIR/<name>.json for each and DIR/summary.md, and prints a table.

  --only NAME  run one benchmark (${BENCHMARKS.map((b) => b.name).join(', ')})
  --out DIR    report directory (default ${DEFAULT_OUT}, relative to the working directory)
  --strict     exit 1 when a metric misses its target (default: report it, exit 0)

Exit codes: 0 done; 1 a benchmark failed to run (or, with --strict, missed a target); 2 usage error
(flags, unknown benchmark, an --out directory that cannot be created).`;

/** The `bench` command. */
export const benchCommand: Command = {
  name: 'bench',
  summary: 'Run the benchmarks; reports go to reports/bench/.',
  usage: USAGE,
  run: runBench,
};

async function runBench(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseFlags(args, OPTIONS);
  const usageError = (message: string): number => {
    io.err(`rspp bench: ${printable(message)}`);
    io.err(USAGE);
    return EXIT.usage;
  };
  if (!parsed.ok) return usageError(parsed.message);
  const { values, positionals } = parsed;
  if (positionals.length > 0) return usageError(`unexpected argument "${positionals[0] ?? ''}"`);
  const selected =
    values.only === undefined ? BENCHMARKS : BENCHMARKS.filter((b) => b.name === values.only);
  if (selected.length === 0) {
    const names = BENCHMARKS.map((b) => b.name).join(', ');
    return usageError(`unknown benchmark "${values.only ?? ''}"; available: ${names}`);
  }
  const outLabel = values.out ?? DEFAULT_OUT;
  const outDir = resolve(io.cwd, outLabel);
  // Checked before running: benchmarks take minutes, and an unusable --out is a usage error.
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    return usageError(
      `--out ${outLabel}: expected a writable directory, received ${errorReason(error)}`,
    );
  }
  let reports;
  try {
    reports = await runBenchmarks(selected, {
      outDir,
      log: (line) => io.err(line),
    });
  } catch (error) {
    io.err(printable(`rspp bench: ${error instanceof Error ? error.message : String(error)}`));
    return EXIT.failure;
  }
  const env = reports[0]?.environment;
  if (env !== undefined) io.out(`Node ${env.node}, ${env.cpus} CPUs (${env.cpu_model})`);
  for (const line of renderTable(reports)) io.out(line);
  io.out(`reports written to ${printable(outLabel)}/`);
  const missed = reports.some((report) => !report.passed);
  return missed && values.strict === true ? EXIT.failure : EXIT.ok;
}
