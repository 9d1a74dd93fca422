import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultSpec, loadModel } from '../../tools/paths/load.ts';
import { buildSuiteFile } from '../../tools/paths/suite.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MODULE = join(ROOT, 'test/paths/fixtures/lifecycle.machine.ts');

type FileResult = {
  name: string;
  status: string;
  message: string;
  assertionResults: { title: string; status: string; failureMessages: string[] }[];
};

/** Generates a suite for `exportName` into `dir` under `name`, optionally from another events module. */
async function generate(dir: string, name: string, exportName: string, eventsModule = MODULE) {
  const spec = defaultSpec(MODULE, exportName, {
    eventsModule,
    events: 'lifecyclePathEvents',
    input: 'lifecyclePathInput',
  });
  const suite = await buildSuiteFile(await loadModel(spec), { name, command: 'test', outDir: dir });
  writeFileSync(suite.file, suite.text);
}

describe('generated suites run under vitest from outside the repository', () => {
  let results: FileResult[] = [];
  let exitCode: number | null = null;
  let printed = '';

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rspp-suites-'));
    const partial = join(dir, 'partial-events.ts');
    writeFileSync(
      partial,
      [
        `import { lifecyclePathEvents as all } from ${JSON.stringify(MODULE)};`,
        `export { lifecyclePathInput } from ${JSON.stringify(MODULE)};`,
        "export const lifecyclePathEvents = all.filter((e) => e.type !== 'cancel');",
      ].join('\n'),
    );
    await generate(dir, 'good', 'lifecycleMachine');
    await generate(dir, 'buggy', 'buggyLifecycleMachine');
    await generate(dir, 'partial', 'lifecycleMachine', partial);
    const report = join(dir, 'report.json');
    const vitest = join(ROOT, 'node_modules/vitest/vitest.mjs');
    const child = spawnSync(
      process.execPath,
      [
        vitest,
        'run',
        '--dir',
        dir,
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${report}`,
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    exitCode = child.status;
    printed = `${child.stdout}${child.stderr}`;
    results = (JSON.parse(readFileSync(report, 'utf8')) as { testResults: FileResult[] })
      .testResults;
  }, 60_000);

  const file = (name: string): FileResult => {
    const found = results.find((r) => r.name.endsWith(`${name}.paths.generated.test.ts`));
    if (found === undefined) throw new Error(`no result for ${name}`);
    return found;
  };

  it('passes every path of a correct machine', () => {
    const good = file('good');
    expect(good.status).toBe('passed');
    expect(good.assertionResults.length).toBeGreaterThan(3);
    expect(good.assertionResults.every((a) => a.status === 'passed')).toBe(true);
    expect(exitCode).toBe(1);
  });

  it('fails the path that breaks a turn invariant, with the step in the message', () => {
    const failed = file('buggy').assertionResults.filter((a) => a.status === 'failed');
    expect(failed.map((a) => a.title)).toEqual([
      'path 04: reaches closed via propose → check → finish',
    ]);
    expect(failed[0]!.failureMessages[0]).toContain(
      'step 3 (finish): invariant violated: turn t1: both commit',
    );
  });

  it('fails the suite in afterAll when a declared transition is never taken', () => {
    const partial = file('partial');
    expect(partial.status).toBe('failed');
    expect(partial.assertionResults.every((a) => a.status === 'passed')).toBe(true);
    expect(printed).toMatch(/declared transitions no path took[^]*lifecycle\.active:cancel:0/);
  });
});
