/**
 * Runs benchmarks one after another (never concurrently: they would compete for the CPU they
 * measure), writes `<out>/<name>.json` per benchmark and a combined `<out>/summary.md`.
 */
import { mkdir } from 'node:fs/promises';
import { availableParallelism, arch, cpus, loadavg, platform } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../cli/write-atomic.ts';
import { meetsTarget, type BenchMetric, type Benchmark } from './benchmark.ts';

/** The machine a benchmark ran on; figures are only comparable on the same one. */
export type BenchEnvironment = {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpu_model: string;
  /** 1-minute load average when the run started; figures from a busy machine read low. */
  load_average_1m: number;
};

/** The file written for one benchmark. */
export type BenchReport = {
  name: string;
  generated_at_utc: string;
  environment: BenchEnvironment;
  passed: boolean;
  metrics: (BenchMetric & { passed: boolean })[];
  notes: string[];
};

/** Where reports go, where progress is printed, and how the run is stamped. */
export type RunOptions = {
  outDir: string;
  log: (line: string) => void;
  now?: () => Date;
};

/** Describes the current machine. */
function describeEnvironment(): BenchEnvironment {
  return {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpus: availableParallelism(),
    cpu_model: cpus()[0]?.model.trim() ?? 'unknown',
    load_average_1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** Runs each benchmark, writes its report and the summary, and returns the reports. */
export async function runBenchmarks(
  benchmarks: readonly Benchmark[],
  options: RunOptions,
): Promise<BenchReport[]> {
  const now = options.now ?? (() => new Date());
  const environment = describeEnvironment();
  if (environment.load_average_1m > environment.cpus / 2) {
    options.log(
      `warning: the machine is busy (load ${environment.load_average_1m} on ${environment.cpus} CPUs); figures will read low`,
    );
  }
  await mkdir(options.outDir, { recursive: true });
  const reports: BenchReport[] = [];
  for (const benchmark of benchmarks) {
    options.log(`running ${benchmark.name}: ${benchmark.summary}`);
    const result = await benchmark.run();
    const metrics = result.metrics.map((metric) => ({ ...metric, passed: meetsTarget(metric) }));
    const report: BenchReport = {
      name: benchmark.name,
      generated_at_utc: now().toISOString(),
      environment,
      passed: metrics.every((metric) => metric.passed),
      metrics,
      notes: result.notes,
    };
    await writeFileAtomic(
      join(options.outDir, `${benchmark.name}.json`),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    reports.push(report);
  }
  await writeFileAtomic(join(options.outDir, 'summary.md'), renderSummary(reports, environment));
  return reports;
}

const COLUMNS = ['benchmark', 'metric', 'median', 'best', 'unit', 'target', 'result'] as const;

/** Table rows (one per metric), as the terminal table and the Markdown summary show them. */
function tableRows(reports: readonly BenchReport[]): string[][] {
  return reports.flatMap((report) =>
    report.metrics.map((metric) => [
      report.name,
      metric.name,
      formatNumber(metric.median),
      formatNumber(metric.best),
      metric.unit,
      metric.target === undefined ? '-' : formatNumber(metric.target),
      metric.target === undefined ? '-' : metric.passed ? 'pass' : 'FAIL',
    ]),
  );
}

/** A fixed-width text table of every metric. */
export function renderTable(reports: readonly BenchReport[]): string[] {
  const rows = [[...COLUMNS], ...tableRows(reports)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  // Text columns align left, figures right.
  const numeric = new Set([2, 3, 5]);
  return rows.map((row) =>
    row
      .map((cell, i) =>
        numeric.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
}

/** The combined Markdown summary of one run. */
function renderSummary(reports: readonly BenchReport[], environment: BenchEnvironment): string {
  const lines = [
    '# Benchmarks',
    '',
    `Node ${environment.node} on ${environment.platform}/${environment.arch}, ${environment.cpus} CPUs (${environment.cpu_model}), load ${environment.load_average_1m} at start.`,
    '',
    `| ${COLUMNS.join(' | ')} |`,
    '| --- | --- | ---: | ---: | --- | ---: | --- |',
    ...tableRows(reports).map((row) => `| ${row.join(' | ')} |`),
  ];
  for (const report of reports) {
    lines.push('', `## ${report.name}`, '', `generated_at_utc: ${report.generated_at_utc}`, '');
    for (const metric of report.metrics) lines.push(`- ${metric.name}: ${metric.description}`);
    for (const note of report.notes) lines.push(`- ${note}`);
  }
  return `${lines.join('\n')}\n`;
}

const formatNumber = (value: number): string => Math.round(value).toLocaleString('en-US');
