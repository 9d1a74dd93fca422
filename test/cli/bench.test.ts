import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import type { Benchmark } from '../../tools/bench/benchmark.ts';
import {
  INVALID_EVENT_RECORDS,
  VALID_CONTROL_SIGNALS,
  VALID_EVENT_RECORDS,
} from '../../tools/bench/benchmarks/contract-documents.ts';
import { median } from '../../tools/bench/measure.ts';
import { renderTable, runBenchmarks, type BenchReport } from '../../tools/bench/run.ts';
import { makeTempDir, removeTempDir, runCli } from './helpers.ts';

let dir: string;

beforeAll(async () => {
  dir = await makeTempDir();
});

afterAll(() => removeTempDir(dir));

// Fixed figures: these tests check the runner's bookkeeping, never real timings.
const fakeBenchmark = (name: string, median: number, target?: number): Benchmark => ({
  name,
  summary: `fake ${name}`,
  run: () =>
    Promise.resolve({
      metrics: [
        {
          name: 'ops',
          description: 'fake operations',
          unit: 'ops/s',
          median,
          best: median + 10,
          rounds: [median, median + 10],
          ...(target === undefined ? {} : { target }),
        },
      ],
      notes: ['fixed figures'],
    }),
});

describe('contracts benchmark documents', () => {
  const validator = createContractValidator();

  it('are valid and invalid event records exactly as the benchmark assumes', () => {
    for (const doc of VALID_EVENT_RECORDS)
      expect(validator.validate('event_record', doc)).toEqual({ valid: true });
    for (const doc of INVALID_EVENT_RECORDS)
      expect(validator.validate('event_record', doc).valid).toBe(false);
  });

  it('match their own artifact', () => {
    for (const doc of VALID_EVENT_RECORDS)
      expect(validator.match(doc)).toEqual({ artifact: 'event_record' });
    for (const doc of VALID_CONTROL_SIGNALS)
      expect(validator.match(doc)).toEqual({ artifact: 'control_signal' });
  });
});

describe('runBenchmarks', () => {
  it('writes one report per benchmark and a combined summary, judging targets on the median', async () => {
    const out = join(dir, 'bench');
    const reports = await runBenchmarks(
      [fakeBenchmark('fast', 900, 500), fakeBenchmark('slow', 100, 500)],
      {
        outDir: out,
        log: () => undefined,
        now: () => new Date('2026-01-02T03:04:05.000Z'),
      },
    );
    expect(reports.map((report) => [report.name, report.passed])).toEqual([
      ['fast', true],
      ['slow', false],
    ]);
    expect((await readdir(out)).sort()).toEqual(['fast.json', 'slow.json', 'summary.md']);
    const fast = JSON.parse(await readFile(join(out, 'fast.json'), 'utf8')) as BenchReport;
    expect(fast.generated_at_utc).toBe('2026-01-02T03:04:05.000Z');
    expect(fast.environment.node).toBe(process.version);
    expect(fast.environment.cpus).toBeGreaterThan(0);
    expect(fast.metrics[0]).toMatchObject({ median: 900, best: 910, target: 500, passed: true });
    const summary = await readFile(join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('| fast | ops | 900 | 910 | ops/s | 500 | pass |');
    expect(summary).toContain('| slow | ops | 100 | 110 | ops/s | 500 | FAIL |');
    expect(renderTable(reports)[0]).toMatch(/^benchmark\s+metric\s+median/);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(3);
  });
});

describe('rspp bench', () => {
  it('rejects an unknown --only benchmark with exit 2, listing the available ones', async () => {
    const run = await runCli(['bench', '--only', 'nope'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown benchmark "nope"; available: contracts');
  });

  it('rejects unknown flags and stray arguments with exit 2', async () => {
    expect((await runCli(['bench', '--fast'], dir)).stderr).toContain('unknown flag --fast');
    expect((await runCli(['bench', 'contracts'], dir)).code).toBe(2);
  });

  it('refuses an --out directory it cannot create before running anything (issue 10 item 19)', async () => {
    const run = await runCli(['bench', '--out', '/dev/null/x'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'rspp bench: --out /dev/null/x: expected a writable directory, received ENOTDIR (a parent is not a directory)',
    );
    expect(run.stderr).not.toContain('running');
  });
});
