import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir, runCli } from './helpers.ts';

const EVIDENCE = fileURLToPath(new URL('../fixtures/inspect/demo-evidence.jsonl', import.meta.url));

describe('rspp inspect (issue 15)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(async () => {
    await removeTempDir(dir);
  });

  it.each([
    [[], 'give exactly one of --script or --evidence FILE'],
    [['--script', '--evidence', 'x.jsonl'], 'give exactly one of --script or --evidence FILE'],
    [['--script', '--speed', 'fast'], '--speed: expected a non-negative number, received "fast"'],
    [['--script', '--port', '70000'], '--port: expected 0..65535, received "70000"'],
    [['--evidence', 'x.jsonl', '--seed', '2'], '--speed and --seed go with --script'],
    [['--script', 'extra'], 'unexpected argument extra'],
  ])('exits 2 on %j, naming the problem', async (args, message) => {
    const run = await runCli(['inspect', ...args], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`rspp inspect: ${message}`);
    expect(run.stderr).toContain('rspp inspect --script');
  });

  it('exits 1 for an evidence file it cannot read or that holds no steps', async () => {
    const missing = await runCli(['inspect', '--evidence', 'none.jsonl', '--once'], dir);
    expect([missing.code, missing.stderr]).toEqual([
      1,
      expect.stringMatching(/cannot read .*none\.jsonl: ENOENT/),
    ]);
    await writeFile(join(dir, 'other.jsonl'), '{"kind":"other"}\n');
    const empty = await runCli(['inspect', '--evidence', 'other.jsonl', '--once'], dir);
    expect([empty.code, empty.stderr]).toEqual([1, expect.stringContaining('no ControlLane')]);
  });

  it('loads an evidence file and prints the loopback URL and its steps', async () => {
    const run = await runCli(['inspect', '--evidence', EVIDENCE, '--once'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^inspector: http:\/\/127\.0\.0\.1:\d+\/\n22 steps$/);
  });

  it('runs the scripted session unpaced with the inspector attached', async () => {
    const run = await runCli(['inspect', '--script', '--speed', '0', '--once'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^inspector: http:\/\/127\.0\.0\.1:\d+\/\nscript ended$/);
  });
});
