import { readdir, readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACT_NAMES } from '../../contracts/internal.ts';
import {
  controlSignal,
  eventRecord,
  jsonLines,
  makeTempDir,
  removeTempDir,
  runCli,
} from './helpers.ts';

// `dir` holds scratch trees; `base` holds only the four documents below, so walking it is stable.
let dir: string;
let base: string;

beforeAll(async () => {
  dir = await makeTempDir();
  base = join(dir, 'base');
  await mkdir(base);
  await writeFile(join(base, 'event.json'), JSON.stringify(eventRecord()));
  await writeFile(join(base, 'signal.json'), JSON.stringify(controlSignal()));
  await writeFile(join(base, 'bad-lane.json'), JSON.stringify(eventRecord({ lane: 'AudioLane' })));
  await writeFile(
    join(base, 'stream.jsonl'),
    jsonLines([eventRecord(), controlSignal(), eventRecord({ runtime_sequence: -4 })]),
  );
});

afterAll(() => removeTempDir(dir));

type JsonReport = {
  generated_at_utc: string;
  fixture_root: string[];
  passed: boolean;
  summary: {
    documents: number;
    valid: number;
    invalid: number;
    files: number;
    by_artifact: Record<string, { documents: number; valid: number; invalid: number }>;
  };
  documents: {
    location: string;
    line?: number;
    artifact: string | null;
    closest?: string;
    valid: boolean;
    issues: { pointer: string; rule: string; message: string }[];
  }[];
};

describe('rspp validate-contracts', () => {
  it('exits 0 and prints the summary when every document is valid', async () => {
    const run = await runCli(['validate-contracts', 'event.json', 'signal.json'], base);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('2 documents: 2 valid, 0 invalid (2 files, 0 with invalid');
    expect(run.stdout).toContain('by artifact: control_signal 1, event_record 1');
    expect(run.stdout).not.toContain('FAIL');
  });

  it('exits 1 and names the location and each issue of an invalid document', async () => {
    const run = await runCli(['validate-contracts', 'bad-lane.json'], base);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'FAIL  bad-lane.json (matches no artifact; closest: event_record)',
    );
    expect(run.stdout).toMatch(/\/lane enum: expected one of .*"DataLane".*received "AudioLane"/);
    expect(run.stdout).toContain('1 document: 0 valid, 1 invalid');
  });

  it('reports a document that is valid but not the --artifact asked for as invalid', async () => {
    const run = await runCli(
      ['validate-contracts', '--artifact', 'turn_transition', 'event.json'],
      base,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAIL  event.json (turn_transition)');
  });

  it('validates as the named --artifact', async () => {
    const asSignal = await runCli(
      ['validate-contracts', '--artifact', 'control_signal', 'signal.json'],
      base,
    );
    const asEvent = await runCli(
      ['validate-contracts', '--artifact', 'event_record', 'signal.json'],
      base,
    );
    expect(asSignal.code).toBe(0);
    expect(asEvent.code).toBe(1);
    expect(asEvent.stdout).toContain('/signal');
  });

  it('lists each valid document and its artifact with --verbose', async () => {
    const run = await runCli(['validate-contracts', '--verbose', 'stream.jsonl'], base);
    expect(run.stdout.split('\n').slice(0, 3)).toEqual([
      'ok    stream.jsonl:1 (event_record)',
      'ok    stream.jsonl:2 (control_signal)',
      'FAIL  stream.jsonl:3 (matches no artifact; closest: event_record)',
    ]);
  });

  it('rejects an unknown artifact with exit 2, listing the valid ones', async () => {
    const run = await runCli(['validate-contracts', '--artifact', 'event', 'event.json'], base);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown artifact "event"');
    for (const name of ARTIFACT_NAMES) expect(run.stderr).toContain(name);
    expect(run.stdout).toBe('');
  });

  it.each([
    [['validate-contracts'], 'missing PATH argument'],
    [['validate-contracts', '--json'], 'missing PATH argument'],
    [['validate-contracts', 'no-such-file.json'], 'path does not exist: no-such-file.json'],
    [['validate-contracts', 'event.json', 'nope/x.json'], 'path does not exist: nope/x.json'],
    [['validate-contracts', '--strict', 'event.json'], 'unknown flag --strict'],
    [['validate-contracts', 'event.json', '--artifact'], 'flag --artifact needs a value'],
    [['validate-contracts', '--json=yes', 'event.json'], 'flag --json does not take a value'],
  ])('exits 2 for %j with "%s"', async (argv, message) => {
    const run = await runCli(argv, base);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('rspp validate-contracts [--artifact NAME]');
    expect(run.stdout).toBe('');
  });

  it('prints one parseable JSON report with --json', async () => {
    const run = await runCli(['validate-contracts', '--json', '.'], base);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.passed).toBe(false);
    expect(report.fixture_root).toEqual(['.']);
    expect(Number.isNaN(Date.parse(report.generated_at_utc))).toBe(false);
    expect(report.summary).toMatchObject({ documents: 6, valid: 4, invalid: 2, files: 4 });
    expect(report.summary.by_artifact).toEqual({
      control_signal: { documents: 2, valid: 2, invalid: 0 },
      event_record: { documents: 2, valid: 2, invalid: 0 },
      none: { documents: 2, valid: 0, invalid: 2 },
    });
    const where = report.documents.map((doc) => [doc.location, doc.artifact, doc.valid]);
    expect(where).toEqual([
      ['bad-lane.json', null, false],
      ['event.json', 'event_record', true],
      ['signal.json', 'control_signal', true],
      ['stream.jsonl:1', 'event_record', true],
      ['stream.jsonl:2', 'control_signal', true],
      ['stream.jsonl:3', null, false],
    ]);
    const bad = report.documents[5];
    expect(bad?.line).toBe(3);
    expect(bad?.closest).toBe('event_record');
    expect(bad?.issues.map((issue) => issue.pointer)).toContain('/runtime_sequence');
  });

  it('writes contracts-report.json and .md atomically into a new --report directory', async () => {
    const out = join(dir, 'reports', 'contracts');
    const run = await runCli(
      ['validate-contracts', '--report', out, 'event.json', 'stream.jsonl'],
      base,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('report written to');
    expect((await readdir(out)).sort()).toEqual(['contracts-report.json', 'contracts-report.md']);
    const report = JSON.parse(
      await readFile(join(out, 'contracts-report.json'), 'utf8'),
    ) as JsonReport;
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining([
        'generated_at_utc',
        'fixture_root',
        'summary',
        'passed',
        'documents',
      ]),
    );
    expect(report.fixture_root).toEqual(['event.json', 'stream.jsonl']);
    expect(report.summary).toMatchObject({ documents: 4, valid: 3, invalid: 1, files: 2 });
    expect(report.passed).toBe(false);
    const markdown = await readFile(join(out, 'contracts-report.md'), 'utf8');
    expect(markdown).toContain('passed: **no**');
    expect(markdown).toContain('`stream.jsonl:3`');
  });

  it('reports passed: true when everything is valid', async () => {
    const out = join(dir, 'reports-ok');
    const run = await runCli(['validate-contracts', '--json', '--report', out, 'event.json'], base);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as JsonReport).passed).toBe(true);
    const onDisk = JSON.parse(
      await readFile(join(out, 'contracts-report.json'), 'utf8'),
    ) as JsonReport;
    expect(onDisk.passed).toBe(true);
    expect(onDisk.summary.documents).toBe(1);
  });

  it('exits 2 when the --report directory cannot be created', async () => {
    const run = await runCli(
      ['validate-contracts', '--report', 'event.json/sub', 'event.json'],
      base,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot create report directory event.json/sub');
  });

  it('walks nested directories in sorted order and ignores files that are not .json/.jsonl', async () => {
    const tree = join(dir, 'tree');
    await mkdir(join(tree, 'b', 'deeper'), { recursive: true });
    await mkdir(join(tree, 'a'), { recursive: true });
    await writeFile(join(tree, 'b', 'deeper', 'z.json'), JSON.stringify(eventRecord()));
    await writeFile(join(tree, 'a', 'y.json'), JSON.stringify(eventRecord()));
    await writeFile(join(tree, 'a', 'notes.txt'), 'not json at all');
    await writeFile(join(tree, 'a', 'data.yaml'), 'lane: DataLane');
    await writeFile(join(tree, 'top.JSON'), JSON.stringify(controlSignal()));
    const run = await runCli(['validate-contracts', '--json', 'tree'], dir);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.documents.map((doc) => doc.location)).toEqual([
      join('tree', 'a', 'y.json'),
      join('tree', 'b', 'deeper', 'z.json'),
      join('tree', 'top.JSON'),
    ]);
  });

  it('validates an explicitly named file whatever its extension', async () => {
    await writeFile(join(dir, 'event.txt'), JSON.stringify(eventRecord({ lane: 'Nope' })));
    const run = await runCli(['validate-contracts', 'event.txt'], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAIL  event.txt');
  });

  it('exits 1 when a directory holds no documents', async () => {
    await mkdir(join(dir, 'nothing'));
    await writeFile(join(dir, 'nothing', 'readme.md'), '# hi');
    const run = await runCli(['validate-contracts', 'nothing'], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('0 documents');
    expect(run.stderr).toContain('no .json or .jsonl documents found');
  });
});
